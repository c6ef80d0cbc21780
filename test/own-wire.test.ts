/**
 * A student's chat calls beside the plain protocol's datagrams in the captures (issue #19, item 4),
 * over a real run of the Docker e2e's own pass (test/fixtures/own/chat-run: their chat server and
 * two clients, vm and remote behind the lab's router, with both captures): each call is matched with
 * its own datagram on each side of the router, the remote side's addresses shown as rewritten (NAT),
 * a few rows only, and whatever the trace held is text in both formats.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Analysis, analyse, findCaptures, render } from '../src/report/index.ts';
import { implementationData } from '../src/report/own-implementation.ts';
import { ownRuns } from '../src/report/own-checks.ts';
import { type CapturedFlows, MAX_WIRE_ROWS, chatDatagrams } from '../src/report/own-wire.ts';
import { foreignMarkup } from './html-scan.ts';
import { allowed } from './hostile-lab.ts';
import { liveMarkup } from './markdown-scan.ts';

const RUN = fileURLToPath(new URL('./fixtures/own/chat-run/', import.meta.url));
/** The addresses of that run, as Docker gave them (the e2e's own pass, labe2e22894ownv2). */
const ROUTER_VM = '198.18.0.2';
const REMOTE = '198.18.1.2';
const ROUTER_WAN = '198.18.1.254';
const SERVER = '198.18.0.10';

/** The run's logs (each line through `edit` first) and its captures, analysed as the report does. */
async function runOf(edit: (line: string) => string = (l) => l): Promise<Analysis> {
  const names = readdirSync(RUN).filter((n) => n.endsWith('.jsonl'));
  const captures = await findCaptures([RUN]);
  assert.ok(captures && captures.files.length === 2, 'both captures beside the logs');
  return analyse(
    names.map((n) => ({
      name: n.replace(/\.jsonl$/, ''),
      lines: (async function* () {
        yield readFileSync(join(RUN, n), 'utf8').split('\n').filter(Boolean).map(edit);
      })(),
    })),
    { allRuns: true, captures },
  );
}

const flowsOf = (a: Analysis): CapturedFlows[] =>
  (a.wire?.captures ?? []).flatMap((c) =>
    c.read?.result.ok ? [{ side: c.side, name: c.name, flows: c.read.flows }] : [],
  );

test('their chat server: each call beside its datagram on both sides of the router', async () => {
  const a = await runOf();
  const server = implementationData(a.model.timeline.records, 'en', flowsOf(a)).find(
    (p) => p.role === 'chat-server',
  )!;
  const rows = server.datagrams.map((d) => ({
    call: `${d.call} ${d.direction} ${d.peer} ${d.bytes}`,
    seen: d.seen.map((s) => `${s.side} ${s.from} > ${s.to} ${s.bytes}${s.translated ? ' NAT' : ''}`),
  }));
  const fromRouter = rows.find((r) => r.call.startsWith(`recvfrom received ${ROUTER_VM}:`))!;
  assert.ok(fromRouter, JSON.stringify(rows));
  const port = fromRouter.call.split(' ')[2]!.split(':')[1];
  assert.deepEqual(fromRouter.seen, [
    `server ${ROUTER_VM}:${port} > ${SERVER}:7008 28`,
    `remote ${REMOTE}:${port} > ${ROUTER_WAN}:7008 28 NAT`,
  ]);
  // What it sent on to the remote member: to the router's address, and past the router to theirs.
  const toRouter = rows.find((r) => r.call.startsWith(`sendto sent ${ROUTER_VM}:${port}`))!;
  assert.deepEqual(toRouter.seen, [
    `server ${SERVER}:7008 > ${ROUTER_VM}:${port} 24`,
    `remote ${ROUTER_WAN}:7008 > ${REMOTE}:${port} 24 NAT`,
  ]);
  // The vm member: on the server's side only, its own address (no router between).
  const vm = rows.find((r) => r.call.startsWith('recvfrom received 198.18.0.3:'))!;
  assert.equal(vm.seen.length, 1);
  assert.match(vm.seen[0]!, /^server 198\.18\.0\.3:\d+ > 198\.18\.0\.10:7008 24$/);
  assert.ok(rows.length <= MAX_WIRE_ROWS);

  // Their remote client: its sendto to the router's wan address, seen translated at the server.
  const remote = implementationData(a.model.timeline.records, 'en', flowsOf(a)).find(
    (p) => p.role === 'chat-client' && p.scenario === 'remote',
  )!;
  const first = remote.datagrams[0]!;
  assert.equal(
    `${first.call} ${first.peer} ${first.text}`,
    `sendto ${ROUTER_WAN}:7008 remote-user: joined the chat`,
  );
  assert.deepEqual(
    first.seen.map((s) => [s.side, s.translated]),
    [
      ['server', true],
      ['remote', false],
    ],
  );

  // In the report, in both languages, beside the calls.
  const en = render(a, 'en');
  const ru = render(a, 'ru');
  assert.match(en, /The same datagrams in the captures/);
  assert.match(
    en,
    new RegExp(
      `remote machine, frame \\d+: \`${REMOTE}:${port} → ${ROUTER_WAN}:7008\` 28 bytes \\(across the router`,
    ),
  );
  assert.match(
    ru,
    new RegExp(
      `удалённая машина, кадр \\d+: \`${REMOTE}:${port} → ${ROUTER_WAN}:7008\` 28 байт \\(по другую сторону`,
    ),
  );
  assert.match(ru, /`recvfrom\(3\)` 24 байта от/);
});

test('without captures, or for an echo program, no datagram rows', async () => {
  const a = await runOf();
  for (const p of implementationData(a.model.timeline.records, 'en')) assert.deepEqual(p.datagrams, []);
  const runs = ownRuns(a.model.timeline.records);
  assert.deepEqual(chatDatagrams({ ...runs[0]!, role: 'echo-server' }, flowsOf(a)), []);
});

test('a datagram the captures do not hold is said to be missing, not matched to another', async () => {
  const a = await runOf();
  const shifted = flowsOf(a).map((c) => ({
    ...c,
    flows: {
      ...c.flows,
      udp: c.flows.udp.map((u) => ({
        ...u,
        datagrams: u.datagrams.map((d) => ({ ...d, timeMs: d.timeMs + 5000 })),
      })),
    },
  }));
  const server = implementationData(a.model.timeline.records, 'en', shifted).find(
    (p) => p.role === 'chat-server',
  )!;
  assert.ok(server.datagrams.length > 0);
  assert.ok(
    server.datagrams.every((d) => d.seen.length === 0),
    "five seconds off: none is the call's",
  );
  assert.match(render(a, 'en'), /frame/);
});

test("whatever their program sent is text beside its calls: the trace's data escaped in both formats", async () => {
  const allow = await allowed();
  const payload = '<img src=x onerror=alert(1)>`**x**`[a](http://e.x)';
  // Every datagram's text in the traces becomes the payload (as strace would print it).
  const a = await runOf((line) =>
    line.includes('"event":"own.call"')
      ? line.replace(/"data":"(?:[^"\\]|\\.)*"/, `"data":${JSON.stringify(payload)}`)
      : line,
  );
  const plain = await runOf();
  // The report's own markup is all there is: the same as without the payload (a run of own
  // programs has a note, a blockquote and an aside, and code blocks the plain run of lab-hostile lacks).
  const found = (md: string) => liveMarkup(md).map((m) => m.replace(/ at \d+:.*$/, ''));
  for (const lang of ['en', 'ru'] as const) {
    const md = render(a, lang);
    const html = render(a, lang, { format: 'html' });
    assert.ok(md.includes('The same datagrams') || md.includes('Те же дейтаграммы'));
    assert.ok(md.includes('onerror=alert(1)'), 'the payload is shown');
    assert.deepEqual(found(md), found(render(plain, lang)), `${lang}: Markdown`);
    assert.deepEqual(
      foreignMarkup(html, allow),
      foreignMarkup(render(plain, lang, { format: 'html' }), allow),
      `${lang}: HTML`,
    );
    assert.ok(!html.includes('<img'), 'no element from the trace');
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  }
});

test('a client that sends without connect(): its port, bound by the first send, finds its datagram', () => {
  const rec = (line: number, fields: Record<string, unknown>) =>
    ({
      source: 'c',
      line,
      time: 5000 + line,
      event: 'own.call',
      fields: { role: 'chat-client', ownPid: 7, fd: 3, at: 5000 + line, ...fields },
    }) as unknown as Analysis['model']['timeline']['records'][number];
  const calls = [
    // strace -yy shows the socket as it was when the call started: unbound before the first send.
    rec(1, {
      call: 'sendto',
      result: 9,
      bytes: 9,
      peer: '10.0.0.10:7008',
      local: '0.0.0.0:0',
      data: 'a: hello',
    }),
    rec(2, {
      call: 'recvfrom',
      result: 5,
      bytes: 5,
      peer: '10.0.0.10:7008',
      local: '0.0.0.0:51515',
      data: 'b: hi',
    }),
  ];
  const run = ownRuns([
    {
      ...calls[0]!,
      line: 0,
      time: 5000,
      event: 'own.program.started',
      fields: { role: 'chat-client', command: 'python3 c.py', traced: true },
    },
    ...calls,
  ])[0]!;
  const datagram = (frame: number, from: string, to: string, payloadLength: number, timeMs: number) => ({
    frame,
    from,
    to,
    payloadLength,
    timeMs,
    ttl: 64,
  });
  const flows = {
    tcp: [],
    udp: [
      {
        id: 1,
        a: '10.0.0.3:51515',
        b: '10.0.0.10:7008',
        datagrams: [
          datagram(1, '10.0.0.3:51515', '10.0.0.10:7008', 9, 5000.5),
          // Another member's datagram of the same size, nearer in time: not this call's (its port).
          datagram(2, '10.0.0.4:40000', '10.0.0.10:7008', 9, 5001),
          datagram(3, '10.0.0.10:7008', '10.0.0.3:51515', 5, 5002),
        ],
        count: 3,
        bytes: 23,
        recordsDropped: 0,
      },
    ],
    otherPackets: 0,
    untracked: { packets: 0, datagrams: 0, bytes: 0, segments: 0 },
  } as unknown as CapturedFlows['flows'];
  const rows = chatDatagrams(run, [{ side: 'server', name: 'x.pcap', flows }]);
  assert.deepEqual(
    rows.map((r) => [r.call, r.text, r.seen.map((s) => [s.frame, s.translated])]),
    [
      ['sendto', 'a: hello', [[1, false]]],
      ['recvfrom', 'b: hi', [[3, false]]],
    ],
  );
});
