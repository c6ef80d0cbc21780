import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  EVENT_NAMES,
  type EventName,
  FIELDS_SINCE,
  LOG_SCHEMA,
  OPTIONAL_FIELDS,
  catalogue,
  explain,
} from '../src/log/events.ts';
import { type Analysis, type ReportInput, analyse, render, summary } from '../src/report/index.ts';
import { code } from '../src/report/document/build.ts';
import { liveMarkup, outsideCode } from './markdown-scan.ts';
import { escapeText as mdText, inline as mdInline } from '../src/report/document/markdown.ts';
import { FOLD_THRESHOLD } from '../src/report/diagram.ts';
import { type Step, foldRuns, mermaidText } from '../src/report/mermaid.ts';
import { type LogRecord, type SkipCause, parseLine, parseSource } from '../src/report/parse.ts';
import { latestRunStart, mergeStreams } from '../src/report/timeline.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/report/', import.meta.url));
type Json = Record<string, unknown>;

/** The lines of every *.jsonl file in a fixture directory, by source name. */
function fixture(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(join(FIXTURES, dir))
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const text = readFileSync(join(FIXTURES, dir, f), 'utf8');
    out.set(f.replace(/\.jsonl$/, ''), text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined));
  }
  return out;
}

function inputs(sources: Map<string, string[]>): ReportInput[] {
  return [...sources].map(([name, lines]) => ({ name, lines }));
}

async function run(
  sources: Map<string, string[]>,
  options: Parameters<typeof analyse>[1] = {},
): Promise<Analysis> {
  return analyse(inputs(sources), options);
}

function statusOf(a: Analysis): Record<string, string> {
  return Object.fromEntries(a.checks.map((c) => [c.id, c.status]));
}

function failing(a: Analysis): string[] {
  return a.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

/** Edits the JSON lines of one source: `edit` returns the new object, or null to drop the line. */
function editLines(
  sources: Map<string, string[]>,
  source: string,
  edit: (o: Json, index: number) => Json | null,
): Map<string, string[]> {
  const copy = new Map(sources);
  const lines = copy.get(source);
  assert.ok(lines, `no source ${source}`);
  copy.set(
    source,
    lines.flatMap((l, i) => {
      const next = edit(JSON.parse(l) as Json, i);
      return next === null ? [] : [JSON.stringify(next)];
    }),
  );
  return copy;
}

/** Replaces an endpoint everywhere in one source's fields (not in msg: the report regenerates it). */
function replaceEndpoint(sources: Map<string, string[]>, source: string, from: string, to: string) {
  return editLines(sources, source, (o) => {
    for (const k of ['remote', 'local']) if (o[k] === from) o[k] = to;
    return o;
  });
}

function evidenceOf(a: Analysis, id: string): Array<{ ok: boolean; code: string; evidence: LogRecord[] }> {
  const c = a.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c.findings;
}

/** The 1-based line number in `source` of the last line matching `pred` (the fixtures hold two runs). */
function lineOf(sources: Map<string, string[]>, source: string, pred: (o: Json) => boolean): number {
  const lines = sources.get(source) ?? [];
  for (let i = lines.length - 1; i >= 0; i--) if (pred(JSON.parse(lines[i] as string) as Json)) return i + 1;
  assert.fail(`no such line in ${source}`);
}

const lab = fixture('lab');

// ---- parse -------------------------------------------------------------------------------------

test('parse: every line the real programs wrote is accepted, with its event, scenario and fields', async () => {
  for (const [name, lines] of lab) {
    const parsed = await parseSource(name, lines);
    assert.equal(parsed.records.length, lines.length, name);
    for (const [i, r] of parsed.records.entries()) {
      const raw = JSON.parse(lines[i] as string) as Json;
      assert.equal(r.event, raw.event);
      assert.equal(r.line, i + 1);
      assert.equal(r.scenario, raw.scenario);
      assert.equal(r.time, Date.parse(raw.time as string));
      assert.equal(r.fields.msg, undefined, 'envelope keys are not fields');
    }
  }
});

test('parse: each kind of bad line is skipped for its own reason, whatever the mix', async () => {
  const real = [...lab.values()].flat();
  const base = JSON.parse(real[0] as string) as Json;
  const junk: Record<Exclude<SkipCause, 'earlier-run'>, fc.Arbitrary<string>> = {
    'not-json': fc.oneof(
      fc
        .constantFrom(...real)
        .chain((l) => fc.integer({ min: 1, max: l.length - 1 }).map((n) => l.slice(0, n))),
      fc.constantFrom('npm warn something', '[1,2]', '42', '"text"', 'null'),
    ),
    foreign: fc.constantFrom(
      JSON.stringify({ level: 30, time: base.time, msg: 'GET / 200' }),
      JSON.stringify({ event: 'client.connected', time: base.time }),
      JSON.stringify({ ...base, schema: '1' }),
    ),
    'unknown-event': fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => !(EVENT_NAMES as string[]).includes(s))
      .map((event) => JSON.stringify({ ...base, event })),
    'old-schema': fc.integer({ min: -5, max: 0 }).map((schema) => JSON.stringify({ ...base, schema })),
    'new-schema': fc
      .integer({ min: LOG_SCHEMA + 1, max: 99 })
      .map((schema) => JSON.stringify({ ...base, schema })),
    'bad-fields': fc.constantFrom(...real).chain((l) => {
      const o = JSON.parse(l) as Json;
      // Fields newer than the line's schema may be missing: removing one is no fault.
      const keys = Object.keys(catalogue[o.event as EventName].example).filter(
        (k) => (FIELDS_SINCE[k] ?? 0) <= (o.schema as number),
      );
      // An optional field (OPTIONAL_FIELDS: the plain chat's member count) may be left out, not mistyped.
      const required = keys.filter((k) => !OPTIONAL_FIELDS[o.event as string]?.includes(k));
      return fc.oneof(
        fc.constantFrom(...required).map((k) => JSON.stringify({ ...o, [k]: undefined })),
        fc.constantFrom(...keys).map((k) => JSON.stringify({ ...o, [k]: [k] })),
        fc.constant(JSON.stringify({ ...o, time: 'yesterday' })),
      );
    }),
  };
  const item = fc.oneof(
    fc.constantFrom(...real).map((line) => ({ cause: 'ok' as const, line })),
    ...Object.entries(junk).map(([cause, arb]) => arb.map((line) => ({ cause, line }))),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(item, { maxLength: 40 }), async (items) => {
      const parsed = await parseSource(
        'mix',
        items.map((i) => i.line),
      );
      const want = (c: string) => items.filter((i) => i.cause === c).length;
      for (const cause of Object.keys(junk) as SkipCause[])
        assert.equal(parsed.skipped[cause].count, want(cause), cause);
      assert.deepEqual(
        parsed.records.map((r) => r.line),
        items.flatMap((it, i) => (it.cause === 'ok' ? [i + 1] : [])),
      );
    }),
    { numRuns: 200 },
  );
});

test('parse: the hand-edited bad/ fixture reports each cause and still checks the good lines', async () => {
  const bad = fixture('bad');
  const a = await run(bad);
  const skipped = a.model.timeline.skipped;
  // bad/lab-echo-vm.jsonl, line by line (see test/fixtures/report/README.md).
  assert.deepEqual(
    skipped['not-json'].examples,
    [2, 3, 13].map((line) => ({ source: 'lab-echo-vm', line })),
  );
  assert.equal(skipped.foreign.count, 2);
  assert.equal(skipped['unknown-event'].count, 1);
  assert.equal(skipped['old-schema'].count, 1);
  assert.equal(skipped['new-schema'].count, 1);
  assert.deepEqual(skipped['bad-fields'].examples, [{ source: 'lab-echo-vm', line: 16 }]);
  assert.equal(statusOf(a).vm, 'pass');
  assert.equal(statusOf(a).echo, 'pass');
  const md = render(a, 'en');
  assert.match(md, /`old-schema`: an older log schema \| 1 \| `lab-echo-vm:7` \|/);
});

test('parse: a line cut off at the end of a file (a container killed mid-write) is skipped, not fatal', async () => {
  const lines = lab.get('lab-echo-vm') ?? [];
  const last = lines[lines.length - 1] as string;
  const parsed = await parseSource('cut', [...lines.slice(0, -1), last.slice(0, 40)]);
  assert.equal(parsed.records.length, lines.length - 1);
  assert.equal(parsed.skipped['not-json'].count, 1);
  assert.equal(parseLine('{"event":', 's', 1).ok, false);
});

// ---- runs and ordering -----------------------------------------------------------------------

test('runs: only the latest run is used unless --all-runs; earlier lines are counted', async () => {
  const all = [...lab].flatMap(([name, lines]) => lines.map((l) => ({ name, o: JSON.parse(l) as Json })));
  const starts = all
    .filter((x) => x.o.event === 'server.starting')
    .map((x) => Date.parse(x.o.time as string));
  assert.ok(starts.length >= 2, 'the lab fixture holds two runs');
  const latest = Math.max(...starts);
  const earlier = all.filter((x) => Date.parse(x.o.time as string) < latest).length;
  assert.ok(earlier > 0);

  const a = await run(lab);
  assert.equal(a.model.timeline.runStart, latest);
  assert.equal(a.model.timeline.skipped['earlier-run'].count, earlier);
  assert.equal(a.model.timeline.records.length, all.length - earlier);
  assert.ok(a.model.timeline.records.every((r) => r.time >= latest));

  const b = await run(lab, { allRuns: true });
  assert.equal(b.model.timeline.skipped['earlier-run'].count, 0);
  assert.equal(b.model.timeline.records.length, all.length);
  // Two local echo clients now (one per run), both connected to their own run's server.
  assert.equal(b.model.scenarios.find((s) => s.name === 'local')?.echo.length, 2);
  assert.equal(statusOf(b).local, 'pass');
});

test('runs: servers started together (one compose up) all belong to the latest run', () => {
  const rec = (source: string, time: number) =>
    ({ source, line: 1, time, event: 'server.starting', fields: {} }) as unknown as LogRecord;
  assert.equal(latestRunStart([rec('a', 1000), rec('b', 1200), rec('a', 50_000), rec('b', 50_300)]), 50_000);
  assert.equal(latestRunStart([rec('a', 1000), rec('a', 50_000), rec('b', 2000)]), 50_000);
  assert.equal(latestRunStart([]), undefined);
});

test('timeline: lines of one program keep their order even when the clock steps back', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 20 }), { maxLength: 5 }),
      (times) => {
        const streams = times.map((ts, s) => ts.map((time, i) => ({ time, s, i })));
        const merged = mergeStreams(streams);
        assert.equal(merged.length, times.flat().length);
        for (const [s, stream] of streams.entries()) {
          assert.deepEqual(
            merged.filter((r) => r.s === s),
            stream,
          );
        }
        // Where every stream is in time order, so is the merge.
        const sortedStreams = times.map((ts) => [...ts].sort((x, y) => x - y));
        const m2 = mergeStreams(sortedStreams.map((ts, s) => ts.map((time, i) => ({ time, s, i }))));
        for (let k = 1; k < m2.length; k++) assert.ok((m2[k - 1]?.time ?? 0) <= (m2[k]?.time ?? 0));
      },
    ),
  );
});

test('timeline: the merged report keeps each source in file order', async () => {
  // Move the vm client's second line back before its first, as if its clock had stepped.
  const vmLines = (lab.get('lab-echo-vm') ?? []).map((l) => JSON.parse(l) as Json);
  const stepBack = Date.parse(vmLines[1]?.time as string) - Date.parse(vmLines[0]?.time as string) + 100;
  const stepped = editLines(lab, 'lab-echo-vm', (o, i) => {
    if (i === 1) o.time = new Date(Date.parse(o.time as string) - stepBack).toISOString();
    return o;
  });
  const a = await run(stepped, { allRuns: true });
  assert.ok(
    a.model.timeline.records.some((r) => r.source === 'lab-echo-vm' && r.line === 2),
    'the stepped line is used',
  );
  const vm = a.model.timeline.records.filter((r) => r.source === 'lab-echo-vm').map((r) => r.line);
  assert.deepEqual(
    vm,
    [...vm].sort((x, y) => x - y),
  );
  const all = a.model.timeline.records.filter((r) => r.source === 'lab-server').map((r) => r.line);
  assert.deepEqual(
    all,
    [...all].sort((x, y) => x - y),
  );
});

// ---- checks ----------------------------------------------------------------------------------

test('checks: the real run passes all six, with the log lines that prove each', async () => {
  const a = await run(lab);
  assert.deepEqual(statusOf(a), {
    local: 'pass',
    vm: 'pass',
    remote: 'pass',
    echo: 'pass',
    chat: 'pass',
    stopped: 'pass',
  });
  const [local] = evidenceOf(a, 'local');
  assert.deepEqual(
    local?.evidence.map((r) => [r.source, r.event]),
    [
      ['lab-echo-local', 'client.connected'],
      ['lab-server', 'tcp.connection.accepted'],
    ],
  );
  assert.equal(local?.evidence[1]?.fields.remote, local?.evidence[0]?.fields.local);
  for (const f of evidenceOf(a, 'remote')) {
    const [client, server] = f.evidence;
    const own = (client?.fields.local as string).split(':')[0];
    const seen = (server?.fields.remote as string).split(':')[0];
    assert.notEqual(own, seen, 'the server saw a translated address');
  }
  const remoteEcho = a.model.echo.find((s) => s.scenario === 'remote');
  assert.equal(remoteEcho?.match, 'nat');
  assert.equal(a.model.echo.find((s) => s.scenario === 'vm')?.match, 'endpoint');
  const chat = evidenceOf(a, 'chat');
  assert.equal(chat.filter((f) => f.code === 'chat-ok').length, 2, 'both directions crossed networks');
  for (const f of chat)
    assert.deepEqual(
      f.evidence.map((r) => r.event),
      ['chat.message.sent', 'udp.message.relayed', 'chat.message.received'],
    );
  assert.equal(evidenceOf(a, 'stopped').length, a.model.programs.length);
});

test('checks: each check fails alone when only its part of the logs is wrong', async () => {
  // The endpoints of the real run, as the report paired them.
  const base = await run(lab);
  const ends = (scenario: string) => {
    const s = base.model.echo.find((x) => x.scenario === scenario);
    assert.ok(s?.local && s.server?.remote, scenario);
    return { own: s.local, seen: s.server.remote, port: s.local.split(':').pop() };
  };
  const local = ends('local');
  const vm = ends('vm');
  const remote = ends('remote');
  const both = (sources: Map<string, string[]>, client: string, from: string, to: string) =>
    replaceEndpoint(replaceEndpoint(sources, client, from, to), 'lab-server', from, to);
  const cases: Array<[string, Map<string, string[]>, string]> = [
    // The "local" client dialed the server's vm address from inside its namespace.
    ['local', both(lab, 'lab-echo-local', local.own, `10.177.0.10:${local.port}`), 'local-not-loopback'],
    // The "vm" client ran on the server's machine.
    ['vm', both(lab, 'lab-echo-vm', vm.own, `127.0.0.1:${vm.port}`), 'vm-loopback'],
    // No NAT: the server saw the remote client's own address.
    ['remote', replaceEndpoint(lab, 'lab-server', remote.seen, remote.own), 'remote-own'],
    [
      'echo',
      editLines(lab, 'lab-echo-remote', (o) =>
        o.event === 'client.disconnected' ? { ...o, bytesReceived: 14000 } : o,
      ),
      'echo-client-diff',
    ],
    [
      'chat',
      editLines(lab, 'lab-chat-remote', (o) => (o.event === 'chat.message.received' ? null : o)),
      'chat-missing',
    ],
    [
      'stopped',
      editLines(lab, 'lab-server', (o, i, last = (lab.get('lab-server')?.length ?? 0) - 1) =>
        i === last ? null : o,
      ),
      'stop-server-missing',
    ],
  ];
  for (const [id, sources, code] of cases) {
    const a = await run(sources);
    assert.deepEqual(failing(a), [id], `${id}: ${summary(a)}`);
    assert.ok(
      evidenceOf(a, id).some((f) => !f.ok && f.code === code && f.evidence.length > 0),
      `${id} fails with ${code} and evidence`,
    );
  }
});

test('checks: the hand-edited failing/ fixture fails each check with the right evidence', async () => {
  const bad = fixture('failing');
  const a = await run(bad);
  assert.deepEqual(failing(a).sort(), ['chat', 'echo', 'local', 'remote', 'stopped', 'vm']);
  const find = (id: string, code: string) => evidenceOf(a, id).find((f) => f.code === code && !f.ok);
  const where = (f: { evidence: LogRecord[] } | undefined) => f?.evidence.map((r) => `${r.source}:${r.line}`);

  const accepted = (connId: number) =>
    lineOf(bad, 'lab-server', (o) => o.event === 'tcp.connection.accepted' && o.connId === connId);
  const connected = (source: string) => lineOf(bad, source, (o) => o.event === 'client.connected');
  assert.deepEqual(where(find('local', 'local-not-loopback')), [
    `lab-echo-local:${connected('lab-echo-local')}`,
    `lab-server:${accepted(1)}`,
  ]);
  assert.deepEqual(where(find('vm', 'vm-translated')), [
    `lab-echo-vm:${connected('lab-echo-vm')}`,
    `lab-server:${accepted(2)}`,
  ]);
  assert.ok(
    evidenceOf(a, 'vm').some((f) => f.ok && f.code === 'vm-ok'),
    'the vm chat client is still fine',
  );
  assert.deepEqual(where(find('remote', 'remote-own')), [
    `lab-echo-remote:${connected('lab-echo-remote')}`,
    `lab-server:${accepted(3)}`,
  ]);
  const closed2 = lineOf(bad, 'lab-server', (o) => o.event === 'tcp.connection.closed' && o.connId === 2);
  assert.deepEqual(where(find('echo', 'echo-server-diff')), [`lab-server:${closed2}`]);
  assert.ok(find('echo', 'echo-open'), 'the local client without its close has no final counts');
  const missing = find('chat', 'chat-missing');
  assert.deepEqual(
    missing?.evidence.map((r) => [r.source, r.event]),
    [
      ['lab-chat-vm', 'chat.message.sent'],
      ['lab-server', 'udp.message.relayed'],
    ],
  );
  assert.ok(
    evidenceOf(a, 'chat').some((f) => f.ok && f.code === 'chat-ok'),
    'bob -> alice still arrived',
  );
  const stop = find('stopped', 'stop-client-missing');
  const localLines = bad.get('lab-echo-local') ?? [];
  assert.deepEqual(where(stop), [`lab-echo-local:${localLines.length}`]);
});

test('checks: a missing scenario is not applicable, unless --require makes it fail', async () => {
  const only = new Map([...lab].filter(([name]) => name === 'lab-server' || name === 'lab-echo-local'));
  const a = await run(only);
  assert.deepEqual(statusOf(a), {
    local: 'pass',
    vm: 'n/a',
    remote: 'n/a',
    echo: 'pass',
    chat: 'n/a',
    stopped: 'pass',
  });
  assert.equal(a.failed, false);
  const b = await run(only, { require: ['vm', 'chat'] });
  assert.deepEqual(failing(b), ['vm', 'chat']);
  assert.equal(evidenceOf(b, 'vm')[0]?.code, 'required');
  assert.match(summary(b), /^checks: \d of 6 pass, 2 fail, .*; failed: vm: .*--require vm.*; chat: /);
});

test('checks: a client refused by a server bound to 127.0.0.1 (the mistake profile) ended, but never connected', async () => {
  const t = '2026-11-23T22:59:56.000Z';
  const refused = JSON.stringify({
    level: 50,
    time: t,
    schema: 1,
    pid: 4242,
    hostname: 'lab-echo-mistake',
    scenario: 'vm',
    event: 'client.error',
    code: 'LAB_ERR_CONNECT_REFUSED',
    message: 'cannot connect to 198.18.7.11:7007: connection refused',
  });
  const a = await run(new Map([...lab, ['lab-echo-mistake', [refused]]]));
  assert.ok(evidenceOf(a, 'stopped').some((f) => f.ok && f.code === 'stop-client-error'));
  assert.ok(evidenceOf(a, 'vm').some((f) => !f.ok && f.code === 'not-connected'));
  assert.deepEqual(failing(a), ['vm']);
});

// ---- rendering -----------------------------------------------------------------------------------

test('render: en and ru reports regenerate every explanation from the catalogue in their language', async () => {
  const a = await run(lab);
  const en = render(a, 'en');
  const ru = render(a, 'ru');
  for (const r of a.model.timeline.records) {
    if (r.event.includes('.data.')) continue; // long runs of data lines are folded
    assert.ok(en.includes(mdText(explain(r.event, r.fields as never, 'en'))), `en ${r.event}`);
    const ruText = mdText(explain(r.event, r.fields as never, 'ru'));
    assert.ok(ru.includes(ruText), `ru ${r.event}`);
    assert.notEqual(ruText, r.msg, 'not the logged msg');
  }
  for (const heading of ['## Checks', '### Timeline', '### Sequence diagram', '## Skipped lines']) {
    assert.ok(en.includes(heading), heading);
    assert.ok(!ru.includes(heading), `ru has no "${heading}"`);
  }
  for (const heading of [
    '## Проверки',
    '### Хронология',
    '### Диаграмма последовательности',
    '## Пропущенные строки',
  ]) {
    assert.ok(ru.includes(heading), heading);
  }
  for (const s of ['local', 'vm', 'remote']) assert.ok(en.includes(`## Scenario \`${s}\``));
});

test('render: every table row has as many cells as its header, whatever the logs hold', async () => {
  const hostile = editLines(lab, 'lab-echo-vm', (o) =>
    o.event === 'client.disconnected'
      ? o
      : o.event === 'client.connected'
        ? { ...o, hostname: 'a|b`c<script>' }
        : o,
  );
  const withError = new Map([
    ...hostile,
    [
      'weird|name<b>',
      [
        JSON.stringify({
          level: 50,
          time: '2026-11-23T22:59:56.000Z',
          schema: 1,
          pid: 1,
          scenario: 'x|y',
          event: 'client.error',
          code: 'E|1',
          message: 'boom | <script>alert(1)</script> `x`',
        }),
      ],
    ],
  ]);
  const md = render(await run(withError), 'en');
  // Inside code spans GitHub shows HTML as text; anywhere else it must be escaped.
  assert.ok(!outsideCode(md).includes('<script>'), 'no raw HTML from the logs');
  assert.deepEqual(liveMarkup(md), []);
  const lines = md.split('\n');
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith('| ') || !lines[i + 1]?.startsWith('| ---')) continue;
    const n = cells(lines[i] as string);
    for (let j = i + 1; lines[j]?.startsWith('|'); j++)
      assert.equal(cells(lines[j] as string), n, `${lines[i]}\n${lines[j]}`);
  }
  // A code span keeps its backtick (a longer fence) and escapes the cell break.
  assert.equal(mdInline([code('a`b|c')], 'table'), '``a`b\\|c``');
});

/** The Mermaid blocks of a report. */
function diagrams(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)]
    .map((m) => m[1] as string)
    .filter((d) => d.startsWith('sequenceDiagram'));
}

/** The topology pictures (Mermaid flowcharts) of a report. */
function flowcharts(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)]
    .map((m) => m[1] as string)
    .filter((d) => d.startsWith('flowchart'));
}

/** A flowchart GitHub can draw: quoted labels without `"`, `;`, `#` or `%%`, edges between declared nodes. */
function assertRenderableFlowchart(diagram: string): void {
  const [first, ...rest] = diagram.split('\n');
  assert.equal(first, 'flowchart LR');
  const ids = new Set<string>();
  for (const line of rest) {
    assert.ok(!/[;#]|%%/.test(line), `unsafe character in: ${line}`);
    const node = /^ {2}(N\d+)(\["|\[\("|\{\{")([^"]+)("\]|"\)\]|"\}\})$/.exec(line);
    if (node) {
      ids.add(node[1] as string);
      continue;
    }
    const edge = /^ {2}(N\d+) -->\|"([^"]+)"\| (N\d+)$/.exec(line);
    assert.ok(edge, `not a node or an edge: ${line}`);
    assert.ok(ids.has(edge[1] as string) && ids.has(edge[3] as string), line);
  }
}

/** What GitHub's Mermaid needs: declared ids, no `;`, `#` or `%%`, non-empty labels. */
function assertRenderable(diagram: string): void {
  const [first, ...rest] = diagram.split('\n');
  assert.equal(first, 'sequenceDiagram');
  const ids = new Set<string>();
  for (const line of rest) {
    assert.ok(!/[;#]|%%/.test(line), `unsafe character in: ${line}`);
    const p = /^ {2}participant ([A-Z][0-9]*) as (.+)$/.exec(line);
    if (p) {
      ids.add(p[1] as string);
      continue;
    }
    const arrow = /^ {2}([A-Z][0-9]*)(->>|-->>)([A-Z][0-9]*): (.+)$/.exec(line);
    const note = /^ {2}Note over ([A-Z][0-9]*)(?:,([A-Z][0-9]*))?: (.+)$/.exec(line);
    assert.ok(arrow || note, `not an arrow or note: ${line}`);
    for (const id of arrow ? [arrow[1], arrow[3]] : [note?.[1], note?.[2]]) {
      if (id !== undefined) assert.ok(ids.has(id), `undeclared participant ${id}`);
    }
  }
}

test('mermaid: diagrams of the real run are renderable; portions beyond 10 fold into one note', async () => {
  const a = await run(lab);
  const md = render(a, 'en');
  const blocks = diagrams(md);
  assert.equal(blocks.length, 4, 'local, vm, remote and the chat across networks');
  for (const b of blocks) assertRenderable(b);
  const portions = (b: string) => (b.match(/: portion \d+, /g) ?? []).length;
  const vm = blocks[1] as string;
  const remote = blocks[2] as string;
  const vmClosed = a.model.echo.find((s) => s.scenario === 'vm')?.server?.closed;
  const remoteClosed = a.model.echo.find((s) => s.scenario === 'remote')?.server?.closed;
  assert.ok((vmClosed?.fields.portionsIn as number) <= FOLD_THRESHOLD);
  assert.equal(portions(vm), vmClosed?.fields.portionsIn, 'a short conversation shows every portion');
  assert.ok((remoteClosed?.fields.portionsIn as number) > FOLD_THRESHOLD);
  assert.equal(portions(remote), 0, 'a long one is folded');
  assert.match(
    remote,
    new RegExp(
      `Note over E1,S: ${remoteClosed?.fields.portionsIn} portions handed to the socket \\(${remoteClosed?.fields.bytesIn} B\\)`,
    ),
  );
  assert.match(render(a, 'ru'), /Note over E1,S: порций передано в сокет: \d+/);
});

test('mermaid: names and fields with ; # %% < > are made safe', async () => {
  const hostile = new Map<string, string[]>();
  for (const [name, lines] of lab) {
    const rename = name === 'lab-chat-vm' ? 'vm;chat#1%%<b>' : name;
    hostile.set(
      rename,
      lines.map((l) => {
        const o = JSON.parse(l) as Json;
        for (const k of ['nick', 'member']) if (o[k] === 'alice') o[k] = 'al;ice#%%<i>';
        return JSON.stringify(o);
      }),
    );
  }
  const a = await run(hostile);
  assert.equal(statusOf(a).chat, 'pass', 'matching still works on the odd names');
  for (const b of diagrams(render(a, 'en'))) assertRenderable(b);
  for (const b of diagrams(render(a, 'ru'))) assertRenderable(b);
  const pictures = flowcharts(render(a, 'en'));
  assert.equal(pictures.length, 3, 'a topology picture per scenario');
  for (const b of [...pictures, ...flowcharts(render(a, 'ru'))]) assertRenderableFlowchart(b);
  assert.equal(mermaidText('a;b#c%%d<e>f\ng'), 'a_b_c__d_e_f g');
  assert.equal(mermaidText(''), '_');
  assert.ok(mermaidText('x'.repeat(200)).length <= 64);
  // A long label is cut after a whole word: the diagram never shows «яд...» for «ядро».
  const long = 'FIN, закрыто (клиент закрыл соединение): прочитано 1314 Б, ядро приняло 1314 Б';
  assert.equal(mermaidText(long), 'FIN, закрыто (клиент закрыл соединение): прочитано 1314 Б...');
  assert.equal(mermaidText(`${'a'.repeat(62)} bb`), `${'a'.repeat(61)}...`);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('ab', 'ядро', '1314', 'Б,', 'x'.repeat(40)), { maxLength: 40 }),
      (words) => {
        const label = mermaidText(words.join(' '));
        assert.ok(label.length <= 64, label);
      },
    ),
  );
});

test('mermaid: folding happens exactly past the threshold, per conversation', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (a, b) => {
      const data = (key: string, from: string, n: number): Step[] =>
        Array.from({ length: n }, (_, i) => ({
          kind: 'arrow',
          from,
          to: 'S',
          dotted: false,
          text: `p${i}`,
          data: { key, dir: 'out', portions: 1, bytes: 10, over: [from, 'S'] },
        }));
      // Two conversations interleaved: folding one leaves the other's steps alone.
      const xs = data('E1', 'E1', a);
      const ys = data('E2', 'E2', b);
      const steps: Step[] = [];
      for (let i = 0; i < Math.max(a, b); i++) steps.push(...xs.slice(i, i + 1), ...ys.slice(i, i + 1));
      const out = foldRuns(steps, 10, (c) => `folded ${c.sent}`);
      const count = (from: string) => out.filter((s) => s.kind === 'arrow' && s.from === from).length;
      assert.equal(count('E1'), a > 10 ? 0 : a);
      assert.equal(count('E2'), b > 10 ? 0 : b);
      assert.equal(out.filter((s) => s.kind === 'note').length, (a > 10 ? 1 : 0) + (b > 10 ? 1 : 0));
      for (const s of out) if (s.kind === 'note') assert.match(s.text, /^folded (\d+)$/);
    }),
  );
});

test('render: no input, or only foreign lines, gives a short report and no crash', async () => {
  const a = await run(
    new Map([
      ['empty', []],
      ['other', ['{"level":30,"msg":"hi"}', 'plain text']],
    ]),
  );
  const md = render(a, 'en');
  assert.match(md, /no socket-lab log line/);
  assert.equal(a.model.timeline.skipped.foreign.count, 1);
  assert.equal(a.model.timeline.skipped['not-json'].count, 1);
  assert.match(summary(a), /nothing to check/);
  assert.ok(a.checks.every((c) => c.status === 'n/a'));
});

test('checks: the logs of a real `docker compose up` (then `stop`) pass all six', async () => {
  // test/fixtures/report/docker/: collected by the `report` compose service from a real run.
  const docker = fixture('docker');
  const a = await run(docker, { require: ['local', 'vm', 'remote', 'echo', 'chat'] });
  assert.deepEqual(failing(a), [], summary(a));
  const remote = a.model.echo.find((s) => s.scenario === 'remote');
  assert.equal(remote?.match, 'nat');
  // Docker's port forwarding changes the port too: only time and bytes can pair the two sides.
  assert.notEqual(remote?.local?.split(':')[1], remote?.server?.remote?.split(':')[1]);
  const local = a.model.echo.find((s) => s.scenario === 'local');
  assert.equal(
    local?.program.hostname,
    a.model.servers[0]?.program.hostname,
    'local shares the server namespace',
  );
});

test('docs: every event and field the lab write-ups point to exists in the catalogue', () => {
  for (const doc of ['lab-report.en.md', 'lab-report.ru.md', 'report.md', 'events.md']) {
    const text = readFileSync(fileURLToPath(new URL(`../docs/${doc}`, import.meta.url)), 'utf8');
    const refs = [...text.matchAll(/`((?:server|tcp|udp|client|chat)\.[a-z.]+)`/g)].map(
      (m) => m[1] as string,
    );
    // The lab write-ups point to the generated report instead of repeating its evidence.
    if (doc.startsWith('lab-report'))
      assert.match(text, /examples\/report(\.ru)?\.md/, `${doc} points to the report`);
    else assert.ok(refs.length > 10, `${doc} points to events`);
    for (const ref of refs) {
      const name = EVENT_NAMES.find((n) => ref === n || ref.startsWith(`${n}.`));
      assert.ok(name, `${doc}: ${ref} is not an event`);
      const field = ref.slice(name.length + 1);
      if (field) assert.ok(field in catalogue[name].example, `${doc}: ${name} has no field ${field}`);
    }
  }
});
