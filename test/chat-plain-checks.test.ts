/**
 * The checks on a student's own chat programs, over records shaped like the runner's (`own.call`
 * with the fields the runner logs: at, pid, call, fd, bytes, peer, data). The sequences follow
 * real traces of test/fixtures/own/chat (strace -f -ttt): the server's recvfrom then one sendto per
 * other member; the client's receiving thread (another pid) calling recvfrom while the main one
 * waits for the keyboard (not a socket: not in the trace; the lab knows when it typed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LANGS } from '../src/log/events.ts';
import { type LogRecord } from '../src/report/parse.ts';
import { describeFinding } from '../src/report/texts.ts';
import { implementationData } from '../src/report/own-implementation.ts';
import {
  type ChatCheckResult,
  type ChatClientFacts,
  type ChatFinding,
  type ChatServerFacts,
  type OwnRecord,
  chatFactsFromRecords,
  checkOwnChatClient,
  ownChatChecks,
  checkOwnChatServer,
  chatFindingText,
} from '../src/report/own-checks-chat.ts';

const VM = '10.177.0.21:44275';
const OWN_REMOTE_IP = '10.188.0.31';
const ROUTER = '10.177.0.1:58266';
const PROBE = '10.177.0.10:40001';
const MEMBERS = [
  { label: 'vm', seenAs: '10.177.0.21' },
  { label: 'remote', seenAs: '10.177.0.1', own: OWN_REMOTE_IP },
];

/** Builds the records of one run, one line per record, as a log file gives them. */
function run(source: string) {
  const records: OwnRecord[] = [];
  const add = (time: number, event: string, fields: Record<string, unknown>) =>
    records.push({ source, line: records.length + 1, time, event, fields });
  return {
    records,
    recv: (
      time: number,
      peer: string | undefined,
      text: string,
      pid = 100,
      bytes = Buffer.byteLength(text),
    ) =>
      add(time + 3, 'own.call', {
        at: time,
        pid,
        call: 'recvfrom',
        fd: 3,
        size: 65535,
        result: bytes,
        bytes,
        peer,
        data: text,
      }),
    send: (
      time: number,
      peer: string | undefined,
      text: string,
      pid = 100,
      bytes = Buffer.byteLength(text),
    ) =>
      add(time + 3, 'own.call', {
        at: time,
        pid,
        call: 'sendto',
        fd: 3,
        size: bytes,
        result: bytes,
        bytes,
        peer,
        data: text,
      }),
    /** A read of the terminal: not in the runner's traces (not a socket), but counted if a trace has it. */
    stdin: (time: number, text: string, pid = 100) =>
      add(time, 'own.call', {
        pid,
        call: 'read',
        fd: 0,
        size: 8192,
        result: Buffer.byteLength(text),
        data: text,
      }),
    stdout: (time: number, text: string) => add(time + 1, 'own.output', { stream: 'stdout', text }),
    stderr: (time: number, text: string) => add(time, 'own.output', { stream: 'stderr', text }),
    exited: (time: number, code: number | null, signal?: string) =>
      add(time, 'own.program.exited', {
        code,
        ...(signal ? { signal } : {}),
        reason: signal ? 'signal' : 'exited',
      }),
  };
}

type Server = ReturnType<typeof run>;
type Variant =
  'correct' | 'relays-to-sender' | 'forgets-after-first' | 'dies-on-garbage' | 'answers-own-address';

/** A chat server's trace in the vm + remote scenario with our probe, as each fixture behaves. */
function serverTrace(variant: Variant): ChatServerFacts {
  const s: Server = run('own-chat-server');
  let t = 1000;
  const known: string[] = [];
  const datagram = (from: string, text: string, bytes?: number) => {
    s.recv((t += 10), from, text, 100, bytes);
    const size = bytes ?? Buffer.byteLength(text);
    if (variant === 'forgets-after-first') {
      known.length = 0; // clients.pop() until empty: nobody left to send to
      return;
    }
    if (!known.includes(from)) known.push(from);
    for (const to of known) {
      if (to === from && variant !== 'relays-to-sender') continue;
      const address = variant === 'answers-own-address' && to === ROUTER ? `${OWN_REMOTE_IP}:58266` : to;
      s.send((t += 1), address, text, 100, size);
    }
  };
  datagram(VM, 'alice: joined the chat');
  datagram(ROUTER, 'bob: joined the chat');
  datagram(VM, 'alice: привет');
  datagram(PROBE, '\\xff\\xfe', 2);
  datagram(PROBE, '', 0);
  datagram(PROBE, 'AAAA', 65507);
  if (variant === 'dies-on-garbage') {
    s.stderr((t += 5), 'Traceback (most recent call last):\n  ...\nUnicodeDecodeError');
    s.exited((t += 5), 1);
    return { records: s.records, members: MEMBERS, probe: PROBE };
  }
  datagram(ROUTER, 'bob: still here');
  datagram(VM, 'alice: yes');
  return { records: s.records, members: MEMBERS, probe: PROBE };
}

const statuses = (results: ChatCheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

const ALL_PASS_SERVER = {
  'own-chat-relay': 'pass',
  'own-chat-not-back': 'pass',
  'own-chat-garbage': 'pass',
  'own-chat-nat': 'pass',
};

test('chat server checks: the correct server passes all four', () => {
  const results = checkOwnChatServer(serverTrace('correct'));
  assert.deepEqual(statuses(results), ALL_PASS_SERVER);
  const relay = results[0]!.findings[0]!;
  assert.equal(relay.params.labels, 'vm, remote');
  assert.ok(relay.evidence.length >= 2, 'the datagram and its copies');
  const nat = results[3]!.findings[0]!;
  assert.equal(nat.code, 'nat-ok');
  assert.equal(nat.params.router, ROUTER);
});

test('chat server checks: each broken server fails exactly its one check', () => {
  const cases: Array<[Variant, string, string]> = [
    ['relays-to-sender', 'own-chat-not-back', 'back-to-sender'],
    ['forgets-after-first', 'own-chat-relay', 'relay-missing'],
    ['dies-on-garbage', 'own-chat-garbage', 'garbage-died'],
  ];
  for (const [variant, failing, code] of cases) {
    const results = checkOwnChatServer(serverTrace(variant));
    const failed = results.filter((r) => r.status === 'fail');
    assert.deepEqual(
      failed.map((r) => r.id),
      [failing],
      `${variant}: ${JSON.stringify(statuses(results))}`,
    );
    assert.equal(failed[0]!.findings.find((f) => !f.ok)?.code, code, variant);
    assert.ok(
      failed[0]!.findings.every((f) => f.ok || f.evidence.length > 0),
      `${variant}: evidence`,
    );
  }
});

test("chat server checks: a server that answers the remote member's own address fails NAT, and so the relay", () => {
  const results = checkOwnChatServer(serverTrace('answers-own-address'));
  // Its copies go where nothing can receive them: the remote member really gets nothing.
  assert.deepEqual(statuses(results), {
    ...ALL_PASS_SERVER,
    'own-chat-relay': 'fail',
    'own-chat-nat': 'fail',
  });
  const nat = results[3]!.findings[0]!;
  assert.equal(nat.code, 'nat-own-address');
  assert.match(chatFindingText(nat, 'en'), /10\.188\.0\.31/);
});

test('chat server checks: without the parts of the lab they need, they are not applicable', () => {
  const s = run('own-chat-server');
  s.recv(1, VM, 'alice: hi');
  const results = checkOwnChatServer({ records: s.records, members: MEMBERS });
  assert.deepEqual(statuses(results), {
    'own-chat-relay': 'n/a',
    'own-chat-not-back': 'n/a',
    'own-chat-garbage': 'n/a',
    'own-chat-nat': 'n/a',
  });
});

type ClientVariant = 'correct' | 'input-blocks' | 'ignores-exit' | 'traceback';

/** A chat client's trace: bob writes while the user types nothing, then the user types `hi`, then `exit`. */
function clientTrace(variant: ClientVariant): ChatClientFacts {
  const c = run('own-chat-client');
  const MAIN = 100;
  const RECEIVER = 101;
  c.send(1000, undefined, 'alice: joined the chat', MAIN);
  const bobSent = 2000;
  // The lab types `hi` at 5000 and `exit` at 6000 (the terminal is not a socket: not traced).
  if (variant === 'input-blocks') {
    // The datagram waits in the receive buffer until the user's Enter at 5000.
    c.send(5001, undefined, 'alice: hi', MAIN);
    c.recv(5002, undefined, 'bob: hello alice', MAIN);
    c.stdout(5003, 'bob: hello alice\n');
  } else {
    c.recv(2010, undefined, 'bob: hello alice', RECEIVER);
    c.stdout(2011, 'bob: hello alice\n');
    c.send(5001, undefined, 'alice: hi', MAIN);
  }
  if (variant === 'ignores-exit') c.send(6001, undefined, 'alice: exit', MAIN);
  else c.exited(6050, 0);
  const u = run('own-chat-client-unreachable');
  u.send(100, undefined, 'alice: joined the chat');
  if (variant === 'traceback') {
    u.stderr(
      200,
      'Traceback (most recent call last):\n  File "chat_client.py", line 20\nConnectionRefusedError',
    );
    u.exited(210, 1);
  } else {
    u.stdout(200, 'Сервер 127.0.0.1:7008 недоступен (на этом порту никто не слушает)\n');
    u.exited(210, 1);
  }
  return {
    records: c.records,
    incoming: [{ text: 'bob: hello alice', time: bobSent }],
    typed: [5000],
    exitTypedAt: 6000,
    unreachable: u.records,
  };
}

test('chat client checks: the correct client passes, and names how it receives while typing', () => {
  const results = checkOwnChatClient(clientTrace('correct'));
  assert.deepEqual(statuses(results), {
    'own-chat-client-typing': 'pass',
    'own-chat-client-exit': 'pass',
    'own-chat-client-unreachable': 'pass',
  });
  assert.equal(results[0]!.findings[0]!.params.how, 'threads');
  assert.match(chatFindingText(results[0]!.findings[0]!, 'ru'), /\(приём идёт в отдельном потоке\)/);
});

test('chat client checks: each broken client fails exactly its one check', () => {
  const cases: Array<[ClientVariant, string, string]> = [
    ['input-blocks', 'own-chat-client-typing', 'typing-after-enter'],
    ['ignores-exit', 'own-chat-client-exit', 'exit-not-ended'],
    ['traceback', 'own-chat-client-unreachable', 'unreachable-traceback'],
  ];
  for (const [variant, failing, code] of cases) {
    const results = checkOwnChatClient(clientTrace(variant));
    assert.deepEqual(
      results.filter((r) => r.status === 'fail').map((r) => r.id),
      [failing],
      `${variant}: ${JSON.stringify(statuses(results))}`,
    );
    assert.equal(results.find((r) => r.id === failing)!.findings[0]!.code, code);
  }
  const blocked = checkOwnChatClient(clientTrace('input-blocks'))[0]!.findings[0]!;
  assert.equal(blocked.params.waitedMs, 3004, 'from bob sending to the screen, across the Enter');
  assert.deepEqual(
    blocked.evidence.map((r) => r.fields.call ?? r.event),
    ['recvfrom', 'own.output'],
  );
  assert.equal(blocked.evidence[0]!.fields.at, 5002, "the receive's own time, from the trace");
});

test('chat client check: a read of the terminal in the trace counts as an Enter, like a typed line', () => {
  const c = run('own-chat-client');
  c.stdin(50, 'x\n', 7);
  c.recv(100, undefined, 'bob: hi', 7);
  c.stdin(150, 'y\n', 7);
  c.stdout(160, 'bob: hi\n');
  const [typing] = checkOwnChatClient({ records: c.records, incoming: [{ text: 'bob: hi', time: 90 }] });
  assert.equal(typing!.status, 'fail');
  assert.deepEqual(
    typing!.findings[0]!.evidence.map((r) => r.fields.call ?? r.event),
    ['recvfrom', 'read', 'own.output'],
  );
});

test('the facts of a lab run come from its records: members matched by port across NAT, relays as incoming lines', () => {
  const serverRecords = serverTrace('correct').records.map((r) => ({
    ...r,
    source: 'lab-own-chat-server',
    fields: { ...r.fields, role: 'chat-server' },
  }));
  const ours = (source: string, scenario: string, local: string, nick: string): OwnRecord => ({
    source,
    line: 1,
    time: 900,
    event: 'chat.joined',
    scenario,
    fields: { nick, server: '10.177.0.10:7008', local, protocol: 'plain' },
  });
  const facts = chatFactsFromRecords(
    [
      ours('lab-chat-vm', 'vm', VM, 'alice'),
      ours('lab-chat-remote', 'remote', `${OWN_REMOTE_IP}:58266`, 'bob'),
      ...serverRecords,
    ],
    { probe: PROBE },
  );
  assert.deepEqual(facts.server?.members, MEMBERS);
  assert.deepEqual(statuses(checkOwnChatServer(facts.server!)), ALL_PASS_SERVER);

  // A student's client beside our server: what our server relayed to it is what it should show.
  const c = run('lab-chat-vm');
  const own = (r: OwnRecord): OwnRecord => ({ ...r, fields: { role: 'chat-client', ...r.fields } });
  c.send(1000, undefined, 'alice: joined the chat', 100);
  c.records[0]!.fields.local = VM;
  c.stdout(2001, 'bob: hello alice\n');
  const relayed = (time: number, remote: string, member: string, preview: string): OwnRecord => ({
    source: 'lab-server',
    line: time,
    time,
    event: 'udp.message.relayed',
    fields: { member, remote, bytes: preview.length, recipients: 1, preview },
  });
  const client = chatFactsFromRecords([
    ...c.records.map(own),
    relayed(1001, VM, 'alice', 'joined the chat'),
    relayed(2000, ROUTER, 'bob', 'hello alice'),
  ]).clients;
  assert.equal(client.length, 1);
  assert.deepEqual(
    client[0]!.incoming.map((m) => ({ text: m.text, time: m.time, line: m.record?.event })),
    [{ text: 'hello alice', time: 2000, line: 'udp.message.relayed' }],
    "not the client's own line; our server's relay line is the evidence",
  );
  assert.equal(checkOwnChatClient(client[0]!)[0]!.status, 'pass');
});

test('in the report: one check per role, each sub-check a finding, not applicable when the role did not run', () => {
  const asLog = (rs: OwnRecord[]) => rs as unknown as LogRecord[];
  assert.deepEqual(
    ownChatChecks([]).map((c) => [c.id, c.status, c.findings[0]?.code]),
    [
      ['own-chat-server', 'n/a', 'na-own'],
      ['own-chat-client', 'n/a', 'na-own'],
    ],
  );
  const withRole = (facts: ChatServerFacts, variant: string): OwnRecord[] => [
    {
      source: 'lab-chat-vm',
      line: 1,
      time: 900,
      event: 'chat.joined',
      scenario: 'vm',
      fields: { nick: 'alice', server: 's', local: VM },
    },
    {
      source: 'lab-chat-remote',
      line: 1,
      time: 900,
      event: 'chat.joined',
      scenario: 'remote',
      fields: { nick: 'bob', server: 's', local: `${OWN_REMOTE_IP}:58266` },
    },
    ...facts.records.map((r) => ({
      ...r,
      source: `own-${variant}`,
      fields: { ...r.fields, role: 'chat-server' },
    })),
  ];
  const [good] = ownChatChecks(asLog(withRole(serverTrace('correct'), 'correct')));
  assert.equal(good!.status, 'pass');
  assert.deepEqual(
    good!.findings.map((f) => [f.code, f.na ?? false]),
    [
      ['relay-ok', false],
      ['not-back-ok', false],
      ['na-probe', true],
      ['nat-ok', false],
    ],
    'no probe in the records: that part is n/a with its reason, never a pass',
  );
  const [bad] = ownChatChecks(asLog(withRole(serverTrace('relays-to-sender'), 'bad')));
  assert.equal(bad!.status, 'fail');
  const back = bad!.findings.find((f) => !f.ok)!;
  assert.equal(back.code, 'back-to-sender');
  // The report's own sentence for it, in both languages.
  assert.match(describeFinding(back, 'en'), /sent 5 of 5 datagrams back to their own sender/);
  assert.match(describeFinding(back, 'ru'), /сервер отправил 5 из 5 дейтаграмм обратно их же отправителю/);
});

test("the runner's own.input lines are the user's Enter and exit; ownPid tells the threads apart", () => {
  const rec = (line: number, time: number, event: string, fields: Record<string, unknown>): OwnRecord => ({
    source: 'lab-chat-vm',
    line,
    time,
    event,
    fields: { role: 'chat-client', ...fields },
  });
  const records = [
    rec(1, 1000, 'own.call', {
      ownPid: 40,
      call: 'sendto',
      fd: 3,
      result: 22,
      bytes: 22,
      local: VM,
      at: 1000,
    }),
    rec(2, 2000, 'own.call', { ownPid: 40, call: 'recvfrom', fd: 3, result: 16, bytes: 16, at: 3001 }),
    rec(3, 3000, 'own.input', { text: 'hi', bytes: 3, scripted: false }),
    rec(4, 3002, 'own.output', { stream: 'stdout', text: 'bob: hello alice' }),
    rec(5, 4000, 'own.input', { text: 'exit', bytes: 5, scripted: false }),
    rec(6, 4100, 'own.program.exited', { code: 0, reason: 'exited', durationMs: 3100 }),
  ];
  const relayed: OwnRecord = {
    source: 'lab-server',
    line: 9,
    time: 2000,
    event: 'udp.message.relayed',
    fields: { member: 'bob', remote: ROUTER, bytes: 11, recipients: 1, preview: 'hello alice' },
  };
  const [facts] = chatFactsFromRecords([...records, relayed]).clients;
  assert.equal(facts!.exitTypedAt, 4000);
  const [typing, exit] = checkOwnChatClient(facts!);
  assert.equal(typing!.findings[0]!.code, 'typing-after-enter', 'shown only after the typed line at 3000');
  assert.equal(exit!.status, 'pass');
  // The same, received by a second task while the first waited for the keyboard.
  const threaded = records.map((r) =>
    r.line === 2 ? { ...r, time: 2001, fields: { ...r.fields, ownPid: 41, at: 2001 } } : r,
  );
  threaded[3] = { ...threaded[3]!, time: 2002 };
  const [ok] = checkOwnChatClient(chatFactsFromRecords([...threaded, relayed]).clients[0]!);
  assert.equal(ok!.status, 'pass');
  assert.equal(ok!.findings[0]!.params.how, 'threads');
});

test("the Implementation section's data: a chat server's calls serve the chat server check", () => {
  const rec = (line: number, event: string, fields: Record<string, unknown>) =>
    ({
      source: 'lab-own-chat-server',
      line,
      time: 1000 + line,
      event,
      fields: { role: 'chat-server', ...fields },
    }) as unknown as LogRecord;
  const [view] = implementationData([
    rec(1, 'own.program.started', {
      command: 'python3 chat_server.py 7008',
      dir: '/own',
      ownPid: 40,
      traced: true,
    }),
    rec(2, 'own.call', { ownPid: 40, call: 'bind', fd: 3, result: 0, local: '0.0.0.0:7008', at: 1002 }),
    rec(3, 'own.call', {
      ownPid: 40,
      call: 'recvfrom',
      fd: 3,
      size: 65535,
      result: 9,
      bytes: 9,
      peer: VM,
      at: 1003,
    }),
    rec(4, 'own.call', {
      ownPid: 40,
      call: 'sendto',
      fd: 3,
      size: 9,
      result: 9,
      bytes: 9,
      peer: ROUTER,
      at: 1004,
    }),
  ]);
  assert.equal(view!.role, 'chat-server');
  assert.deepEqual(
    view!.calls.map((c) => [c.call, c.serves]),
    [
      ['bind', ['own-chat-server']],
      ['recvfrom', ['own-chat-server']],
      ['sendto', ['own-chat-server']],
    ],
  );
});

test('chat checks: every sentence renders in both languages, whatever the parameters', () => {
  const codes = new Set<ChatFinding['code']>();
  const collect = (rs: ChatCheckResult[]) => rs.forEach((r) => r.findings.forEach((f) => codes.add(f.code)));
  for (const v of [
    'correct',
    'relays-to-sender',
    'forgets-after-first',
    'dies-on-garbage',
    'answers-own-address',
  ] as const)
    collect(checkOwnChatServer(serverTrace(v)));
  for (const v of ['correct', 'input-blocks', 'ignores-exit', 'traceback'] as const)
    collect(checkOwnChatClient(clientTrace(v)));
  collect(checkOwnChatServer({ records: [], members: [] }));
  collect(checkOwnChatClient({ records: [], incoming: [] }));
  fc.assert(
    fc.property(
      fc.constantFrom(...codes),
      fc.dictionary(
        fc.constantFrom('text', 'label', 'how', 'peer', 'code', 'ms'),
        fc.oneof(fc.string(), fc.nat()),
      ),
      (code, params) => {
        for (const lang of LANGS) {
          const text = chatFindingText({ ok: true, code, params, evidence: [] }, lang);
          assert.equal(typeof text, 'string');
          assert.ok(text.length > 10);
        }
      },
    ),
  );
  for (const code of codes) {
    const results = [
      ...[
        'correct',
        'relays-to-sender',
        'forgets-after-first',
        'dies-on-garbage',
        'answers-own-address',
      ].flatMap((v) => checkOwnChatServer(serverTrace(v as Variant))),
      ...['correct', 'input-blocks', 'ignores-exit', 'traceback'].flatMap((v) =>
        checkOwnChatClient(clientTrace(v as ClientVariant)),
      ),
    ];
    const f = results.flatMap((r) => r.findings).find((x) => x.code === code);
    if (!f) continue;
    for (const lang of LANGS)
      assert.doesNotMatch(chatFindingText(f, lang), /undefined|NaN/, `${code}/${lang}`);
    assert.match(chatFindingText(f, 'ru'), /[а-я]/, code);
  }
  assert.ok(codes.size >= 18, `only ${codes.size} sentences exercised`);
});

test('chat checks never throw on arbitrary records', () => {
  const record = fc.record({
    source: fc.constant('x'),
    line: fc.nat(),
    time: fc.integer({ min: 0, max: 10_000 }),
    event: fc.constantFrom('own.call', 'own.output', 'own.program.exited', 'own.program.failed'),
    fields: fc.dictionary(
      fc.constantFrom(
        'call',
        'fd',
        'bytes',
        'result',
        'peer',
        'text',
        'stream',
        'code',
        'signal',
        'errno',
        'pid',
      ),
      fc.oneof(
        fc.string(),
        fc.integer({ min: -1, max: 70_000 }),
        fc.constantFrom('recvfrom', 'sendto', 'read', VM, ROUTER),
      ),
    ),
  });
  fc.assert(
    fc.property(fc.array(record, { maxLength: 40 }), (records) => {
      checkOwnChatServer({ records, members: MEMBERS, probe: PROBE });
      checkOwnChatClient({
        records,
        incoming: [{ text: 'a', time: 5 }],
        exitTypedAt: 10,
        unreachable: records,
      });
    }),
  );
});

test('a recvfrom that blocked is stamped when it returned: a correct server relays within the window', async () => {
  const { createTraceReader } = await import('../src/own/strace.ts');
  const { callFields } = await import('../src/own/runner.ts');
  // Recorded shape (strace -f -ttt -yy): the server waits 30 s in recvfrom, then relays at once.
  const trace = [
    '4242 1796173600.000000 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3<UDP:[1]>',
    '4242 1796173600.001000 bind(3<UDP:[1]>, {sa_family=AF_INET, sin_port=htons(7008), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
    '4242 1796173600.002000 recvfrom(3<UDP:[0.0.0.0:7008]>,  <unfinished ...>',
    '4242 1796173630.000000 <... recvfrom resumed>"alice: hi", 65535, 0, {sa_family=AF_INET, sin_port=htons(44275), sin_addr=inet_addr("10.177.0.21")}, [16]) = 9',
    '4242 1796173630.000400 sendto(3<UDP:[0.0.0.0:7008]>, "alice: hi", 9, 0, {sa_family=AF_INET, sin_port=htons(58266), sin_addr=inet_addr("10.177.0.1")}, 16) = 9',
    '4242 1796173630.000900 recvfrom(3<UDP:[0.0.0.0:7008]>,  <unfinished ...>',
    '4242 1796173640.000000 <... recvfrom resumed>"bob: hey", 65535, 0, {sa_family=AF_INET, sin_port=htons(58266), sin_addr=inet_addr("10.177.0.1")}, [16]) = 8',
    '4242 1796173640.000300 sendto(3<UDP:[0.0.0.0:7008]>, "bob: hey", 8, 0, {sa_family=AF_INET, sin_port=htons(44275), sin_addr=inet_addr("10.177.0.21")}, 16) = 8',
  ];
  const reader = createTraceReader();
  const records: OwnRecord[] = [];
  for (const l of trace)
    for (const e of reader.push(l))
      if (e.kind === 'call') {
        const f = callFields('chat-server', e);
        // The runner logs a line a little after the call returned.
        records.push({
          source: 's',
          line: records.length + 1,
          time: f.at + 2,
          event: 'own.call',
          fields: { ...f },
        });
      }
  const first = records.find((r) => r.fields.call === 'recvfrom')!;
  assert.equal(first.fields.at, 1796173630000, 'stamped when it returned');
  assert.equal(first.fields.startedAt, 1796173600002, 'the start is kept');
  assert.equal(first.fields.durationMs, 29998);
  const results = checkOwnChatServer({
    records,
    members: [
      { label: 'vm', seenAs: '10.177.0.21' },
      { label: 'remote', seenAs: '10.177.0.1' },
    ],
  });
  assert.equal(results[0]!.id, 'own-chat-relay');
  assert.equal(results[0]!.status, 'pass', JSON.stringify(results[0]!.findings.map((f) => f.code)));
});

test('NAT: a member whose own address is unbound (0.0.0.0, port 0) says nothing: its part is n/a, never a claim', () => {
  const trace = serverTrace('correct');
  const members = [
    { label: 'vm', seenAs: '10.177.0.21', own: '0.0.0.0' },
    { label: 'remote', seenAs: '10.177.0.1', own: '0.0.0.0:0' },
  ];
  const nat = checkOwnChatServer({ ...trace, members }).find((r) => r.id === 'own-chat-nat')!;
  assert.equal(nat.status, 'n/a');
  assert.deepEqual(
    nat.findings.map((f) => f.code),
    ['nat-own-unknown', 'nat-own-unknown'],
  );
  const ru = chatFindingText(nat.findings[0]!, 'ru');
  assert.doesNotMatch(ru, /(локальный|собственный) адрес 0\.0\.0\.0/);
  assert.match(ru, /не применимо/);
  // A known own address beside it is still judged.
  const mixed = checkOwnChatServer({
    ...trace,
    members: [{ label: 'vm', seenAs: '10.177.0.21', own: '0.0.0.0' }, ...MEMBERS.slice(1)],
  }).find((r) => r.id === 'own-chat-nat')!;
  assert.equal(mixed.status, 'pass');
  assert.deepEqual(
    mixed.findings.map((f) => f.code),
    ['nat-own-unknown', 'nat-ok'],
  );
});

test("the student's own server and client: what their server sent the client (its traced sendto) is the incoming line", () => {
  // Their server: alice (vm) and bob (remote, behind the router) join; bob's line goes to alice.
  const srv = run('lab-own-chat-server');
  srv.recv(1000, VM, 'alice: joined the chat');
  srv.recv(1500, ROUTER, 'bob: joined the chat');
  srv.send(1501, VM, 'bob: joined the chat');
  // As strace prints it: UTF-8 escaped as octal, cut at -s 32 with "...".
  const line = 'bob: привет, Алиса, как дела?';
  srv.recv(2000, ROUTER, line);
  srv.records[srv.records.length - 1]!.fields.data = straceEscaped(line).slice(0, 32) + '...';
  srv.send(2001, VM, line);
  srv.records[srv.records.length - 1]!.fields.data = straceEscaped(line).slice(0, 32) + '...';
  const server = srv.records.map((r) => ({ ...r, fields: { ...r.fields, role: 'chat-server' } }));
  // Their vm client: a thread receives (pid 41) while the main one waits for the keyboard.
  const alice = (enterAt?: number, local: string | undefined = VM) => {
    const c = run('lab-chat-vm');
    c.send(999, SERVER, 'alice: joined the chat', 40);
    if (local) c.records[0]!.fields.local = local;
    c.recv(1502, SERVER, 'bob: joined the chat', 41);
    c.stdout(1503, 'bob: joined the chat');
    if (enterAt !== undefined) c.records.push(input(c.records.length + 1, enterAt, 'hi'));
    c.recv(enterAt === undefined ? 2002 : enterAt + 1, SERVER, straceEscaped(line).slice(0, 32), 41);
    c.stdout(enterAt === undefined ? 2003 : enterAt + 2, line);
    return c.records.map((r) => ({ ...r, fields: { ...r.fields, role: 'chat-client' } }));
  };
  const [facts] = chatFactsFromRecords([...server, ...alice()]).clients;
  assert.deepEqual(
    facts!.incoming.map((m) => [m.text, m.time, m.record?.source]),
    [
      ['bob: joined the chat', 1501, 'lab-own-chat-server'],
      ['bob: при', 2001, 'lab-own-chat-server'],
    ],
    'what their server sent to the client, decoded from the trace as far as strace kept it',
  );
  const [typing] = checkOwnChatClient(facts!);
  assert.equal(typing!.status, 'pass', JSON.stringify(typing));
  const shown = typing!.findings[1]!;
  assert.equal(shown.code, 'typing-ok');
  assert.equal(shown.params.how, 'threads');
  assert.deepEqual(
    shown.evidence.map((r) => [r.source, r.event, r.fields.call ?? r.fields.stream]),
    [
      ['lab-own-chat-server', 'own.call', 'sendto'],
      ['lab-chat-vm', 'own.call', 'recvfrom'],
      ['lab-chat-vm', 'own.output', 'stdout'],
    ],
    "the evidence: their server's sendto, the client's recvfrom, the screen",
  );

  // A traced server's sendto returns a few ms after the datagram left (strace's stops): the
  // client may print it before then (the Docker e2e under Compose v1 did). The datagram left at the
  // call's start.
  const slow = server.map((r) =>
    (r.fields as Record<string, unknown>).call === 'sendto' &&
    (r.fields as Record<string, unknown>).at === 2001
      ? { ...r, fields: { ...r.fields, startedAt: 2001, at: 2006 } }
      : r,
  );
  const [early] = checkOwnChatClient(chatFactsFromRecords([...slow, ...alice()]).clients[0]!);
  assert.equal(early!.findings[1]!.code, 'typing-ok', JSON.stringify(early!.findings[1]));

  // The screen's line is stamped in whole milliseconds (Date.now()), their server's sendto to the
  // microsecond: a line printed within the same millisecond is still after it (a CI run failed so).
  const sameMs = alice().map((r) =>
    r.event === 'own.output' && String((r.fields as Record<string, unknown>).text).startsWith('bob: при')
      ? { ...r, time: 2001 }
      : r,
  );
  const fractional = server.map((r) =>
    (r.fields as Record<string, unknown>).at === 2001
      ? { ...r, fields: { ...r.fields, startedAt: 2001.321, at: 2001.353 } }
      : r,
  );
  const [sameMsTyping] = checkOwnChatClient(chatFactsFromRecords([...fractional, ...sameMs]).clients[0]!);
  assert.equal(sameMsTyping!.findings[1]!.code, 'typing-ok', JSON.stringify(sameMsTyping!.findings[1]));

  // Shown only after the user pressed Enter: the input-blocks mistake, for the right reason.
  const [late] = checkOwnChatClient(chatFactsFromRecords([...server, ...alice(2500)]).clients[0]!);
  assert.equal(late!.status, 'fail');
  assert.equal(late!.findings[1]!.code, 'typing-after-enter');
  assert.equal(late!.findings[1]!.params.waitedMs, 502);

  // n/a only where the evidence is missing, saying which.
  const untraced = [
    ...server.filter((r) => r.event !== 'own.call'),
    {
      source: 'lab-own-chat-server',
      line: 99,
      time: 900,
      event: 'own.trace.off',
      fields: { role: 'chat-server', reason: 'not-installed' },
    },
  ];
  const [u] = checkOwnChatClient(chatFactsFromRecords([...untraced, ...alice()]).clients[0]!);
  assert.deepEqual([u!.status, u!.findings[0]!.code], ['n/a', 'na-incoming-untraced']);
  const [a] = checkOwnChatClient(chatFactsFromRecords([...server, ...alice(undefined, '')]).clients[0]!);
  assert.deepEqual([a!.status, a!.findings[0]!.code], ['n/a', 'na-incoming-address']);
  const [none] = checkOwnChatClient(
    chatFactsFromRecords([
      ...server.filter((r) => (r.fields as Record<string, unknown>).call !== 'sendto'),
      ...alice(),
    ]).clients[0]!,
  );
  assert.deepEqual([none!.status, none!.findings[0]!.code], ['n/a', 'na-incoming']);
  // No chat server's log at all (a teacher's server, its log not given): nothing to say it sent nothing.
  const [alone] = checkOwnChatClient(chatFactsFromRecords(alice()).clients[0]!);
  assert.deepEqual([alone!.status, alone!.findings[0]!.code], ['n/a', 'na-incoming-server']);
  for (const code of ['na-incoming-untraced', 'na-incoming-address', 'na-incoming-server'] as const)
    for (const lang of ['en', 'ru'] as const)
      assert.match(
        chatFindingText({ ok: true, na: true, code, params: {}, evidence: [] }, lang),
        /strace|UDP|журнал|log/,
      );
});

const SERVER = '10.177.0.10:7008';
/** A line typed into the program (the runner's own.input). */
const input = (line: number, time: number, text: string): OwnRecord => ({
  source: 'lab-chat-vm',
  line,
  time,
  event: 'own.input',
  fields: { text, bytes: Buffer.byteLength(text) + 1, scripted: false },
});
/** `text` as strace prints a buffer: printable ASCII as it is, every other byte as octal. */
function straceEscaped(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 10) out += '\\n';
    else out += `\\${b.toString(8)}`;
  }
  return out;
}

test('relay-ok in Russian: one datagram sent to no one agrees in number with it', () => {
  const text = (received: number) =>
    chatFindingText(
      {
        ok: true,
        code: 'relay-ok',
        params: { datagrams: 2, received, members: 2, labels: 'vm, remote' },
        evidence: [],
      },
      'ru',
    );
  assert.match(text(3), /ещё одна дейтаграмма пришла раньше .*кому её отправить, и никому её не отправил/);
  assert.doesNotMatch(text(3), /остальные 1/);
  assert.match(text(4), /остальные 2 дейтаграммы пришли раньше/);
});
