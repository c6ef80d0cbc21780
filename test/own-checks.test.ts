import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyse, type Analysis, render } from '../src/report/index.ts';
import { foldCalls, implementationData, numberLines, oursView } from '../src/report/own-implementation.ts';
import { ownRuns } from '../src/report/own-checks.ts';

// Logs recorded with the CLI on the lab machine: `socket-lab own` running the fixtures under
// strace (Russian explanations for the correct server), and `socket-lab echo` as the local client.
const logs = (name: string) =>
  readFileSync(new URL(`fixtures/own/logs/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
const run = (...names: string[]) => analyse(names.map((name) => ({ name, lines: logs(name) })));
const check = (a: Analysis, id: string) => a.checks.find((c) => c.id === id);
const failing = (a: Analysis, id: string) =>
  check(a, id)
    ?.findings.filter((f) => !f.ok)
    .map((f) => f.code);

test('recorded: the correct server passes, and its accept() is the server view of the local check', async () => {
  const a = await run('echo-server', 'echo-local');
  assert.equal(check(a, 'own-echo-server')?.status, 'pass');
  assert.deepEqual(
    check(a, 'own-echo-server')?.findings.map((f) => f.code),
    [
      'own-untested',
      'own-part-na',
      'own-read-ok',
      'own-served-ok',
      'own-bytes-ok',
      'own-content-ok',
      'own-close-ok',
    ],
  );
  // Its echo, byte for byte where the trace shows both: the first 32 bytes of each of its three
  // recvfrom() and three sendto(), at offsets 0, 1024 and 2048 of the connection.
  const content = check(a, 'own-echo-server')!.findings.find((f) => f.code === 'own-content-ok')!;
  assert.deepEqual([content.params.conns, content.params.compared], [1, 96]);
  // No client reset its connection in this run: that part is not tested, said first (own-untested
  // names it and how to test it), then the part with its reason; never a plain pass.
  assert.equal(check(a, 'own-echo-server')!.findings[0]!.params.parts, 'reset');
  const reset = check(a, 'own-echo-server')!.findings[1]!;
  assert.deepEqual([reset.na, reset.params.part, reset.params.reason], [true, 'reset', 'no-reset']);
  const local = check(a, 'local');
  assert.equal(local?.status, 'pass');
  assert.deepEqual(
    local?.findings[0]?.evidence.map((r) => r.event),
    ['client.connected', 'own.call'],
  );
  // No own client ran: its check is not shown (a run of ours alone keeps its six checks).
  assert.equal(check(a, 'own-echo-client'), undefined);
});

test('recorded: recv(4096) fails the 1 KB check only, naming the size and the call', async () => {
  const a = await run('recv4096-server', 'recv4096-echo-local');
  assert.deepEqual(failing(a, 'own-echo-server'), ['own-read-big']);
  const f = check(a, 'own-echo-server')?.findings.find((x) => x.code === 'own-read-big');
  assert.deepEqual([f?.params.call, f?.params.size, f?.params.limit], ['recvfrom', 4096, 1024]);
  assert.equal(f?.evidence[0]?.fields.size, 4096);
});

test('recorded: the client that ignores exit sent it to the server, and that is its one failure', async () => {
  const a = await run('ignores-exit-client');
  assert.deepEqual(failing(a, 'own-echo-client'), ['own-client-exit-ignored']);
  assert.equal(check(a, 'own-echo-client')?.findings.find((f) => !f.ok)?.params.how, 'sent');
});

test('--require own-echo-client fails when no own client ran', async () => {
  const a = await analyse([{ name: 'echo-server', lines: logs('echo-server') }], {
    require: ['own-echo-client'],
  });
  assert.equal(check(a, 'own-echo-client')?.status, 'fail');
});

test('implementation data: sources with numbers and hashes, calls in order with repeats folded', async () => {
  const a = await run('echo-server', 'echo-local');
  const [server] = implementationData(a.model.timeline.records);
  assert.equal(server?.role, 'echo-server');
  const file = server?.files.find((f) => f.path === 'server.py');
  assert.match(file?.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.ok(file?.lines.some((l) => l.text.includes('conn.recv(BUF_SIZE)')));
  assert.equal(file?.lines[0]?.n, 1);
  const texts = server?.calls.map((c) => c.text) ?? [];
  assert.deepEqual(texts.slice(0, 6), [
    'socket = fd 3 (tcp)',
    'bind(3): 0.0.0.0:17301',
    'listen(3), backlog 5: 0.0.0.0:17301',
    'accept4(3): fd 4 for 127.0.0.1:43636',
    // In their real order: the server echoes each read before the next (no fold across a send).
    'recvfrom(4): 1024, asked for at most 1024 bytes',
    'sendto(4): 1024',
  ]);
  assert.ok(server?.calls.every((c) => c.serves.includes('own-echo-server')));
});

test('implementation data is bounded: long files, long lines, many calls', async () => {
  const { lines, left } = numberLines(`${'a'.repeat(1000)}\n`.repeat(1000));
  assert.equal(lines.length, 400);
  assert.ok(lines.every((l) => l.text.length <= 201));
  assert.equal(left, 600 + 400);
  const a = await run('echo-server', 'echo-local');
  const [r] = ownRuns(a.model.timeline.records);
  assert.ok(r);
  const many = {
    ...r,
    calls: Array.from({ length: 3000 }, (_, i) => ({
      ...r.calls[4]!,
      fields: { ...r.calls[4]!.fields, fd: i },
    })),
  };
  const folded = foldCalls(many);
  assert.equal(folded.rows.length, 200);
  assert.equal(folded.left, 2800);
});

test("without own programs, our server's honest lines and its real read size", () => {
  const source = readFileSync(new URL('../src/tcp/echo-server.ts', import.meta.url), 'utf8');
  const ours = oursView(source);
  assert.equal(ours.read, 'read(fd, ..., 65536)');
  assert.ok(ours.lines.length > 0);
  assert.ok(ours.lines.every((l) => source.split('\n')[l.n - 1]?.startsWith(l.text.replace(/…$/, ''))));
});

test('an own server that started just before our chat server is part of the same run', async () => {
  const own = logs('echo-server');
  const first = JSON.parse(own[0] ?? '{}') as { time: string };
  const later = new Date(Date.parse(first.time) + 2000).toISOString();
  const ours = JSON.stringify({
    level: 30,
    time: later,
    schema: 2,
    pid: 1,
    hostname: 'lab-server',
    component: 'server',
    event: 'server.starting',
    version: '1.0.0',
    config: { host: '0.0.0.0', tcpPort: 7007, udpPort: 7008, chunkSize: 1024 },
    msg: 'starting',
  });
  const a = await analyse([
    { name: 'own-server', lines: own },
    { name: 'lab-server', lines: [ours] },
    { name: 'echo-local', lines: logs('echo-local') },
  ]);
  assert.equal(a.model.timeline.skipped['earlier-run'].count, 0);
  assert.equal(check(a, 'own-echo-server')?.status, 'pass');
});

test('the report shows the Implementation section after the main task, in Markdown and HTML, both languages', async () => {
  const a = await run('echo-server', 'echo-local');
  const ru = render(a, 'ru');
  const en = render(a, 'en', { format: 'html' });
  assert.match(ru, /## Реализация: ваши программы/);
  assert.ok(ru.indexOf('## Реализация') < ru.indexOf('## Дополнительные задания'));
  assert.match(ru, /server\.py \(этот файл запускает команда выше\), \d+ байт, SHA-256 `[0-9a-f]{64}`/);
  assert.match(ru, /`recvfrom\(4\): 1024, запрошено не больше 1024 байт`/);
  assert.match(ru, /`accept4\(3\): fd 4 для 127\.0\.0\.1:43636`/);
  assert.match(ru, /\[\*\] Сервер запущен, слушает порт 17301 на 0\.0\.0\.0/, 'its own messages');
  assert.match(en, /Implementation: your programs/);
  assert.match(en, /recvfrom\(4\): 1024, asked for at most 1024 bytes/);
  // Without own programs there is no such section.
  const ours = await analyse([{ name: 'echo-local', lines: logs('echo-local') }]);
  assert.doesNotMatch(render(ours, 'en'), /Implementation: your programs/);
});

test('no evidence, no pass: parts that did not happen are n/a with the reason; all n/a makes the check n/a', async () => {
  // The recorded server with no client at all (its socket calls left out: it only listened).
  const quiet = logs('echo-server').filter((l) => !l.includes('"own.call"') || l.includes('"call":"listen"'));
  const server = await analyse([{ name: 'echo-server', lines: quiet }]);
  const s = check(server, 'own-echo-server')!;
  assert.equal(s.status, 'n/a');
  assert.ok(s.findings.every((f) => f.na === true && f.ok));
  assert.ok(s.findings.some((f) => f.params.part === 'bytes' && f.params.reason === 'no-client'));
  const md = render(server, 'ru');
  assert.match(
    md,
    /не проверено: вернулось столько же байт, сколько отправлено: ни один наш клиент в этом запуске не подключился/,
  );
  assert.doesNotMatch(md, /✅ не (применимо|проверено)/);

  // The recorded client without its `exit` line: the exit part is n/a, never "exit ends it".
  const lines = logs('client-local').filter(
    (l) => !(l.includes('"own.input"') && l.includes('"text":"exit"')),
  );
  const client = await analyse([{ name: 'client-local', lines }]);
  const c = check(client, 'own-echo-client')!;
  assert.equal(c.status, 'pass');
  const exit = c.findings.find((f) => f.params.part === 'exit')!;
  assert.deepEqual([exit.na, exit.params.reason], [true, 'no-exit']);
  assert.equal(
    c.findings.some((f) => f.code === 'own-client-exit'),
    false,
  );
});

test("the echo's evidence is the client's recvfrom and the output line holding the echo, not 'Подключено к ...'", async () => {
  const a = await run('client-local');
  const echo = check(a, 'own-echo-client')!.findings.find((f) => f.code === 'own-client-echo')!;
  assert.deepEqual(
    echo.evidence.map((r) => [r.event, r.fields.call ?? r.fields.text]),
    [
      ['own.call', 'recvfrom'],
      ['own.output', 'echo: hello'],
    ],
  );
});

test('call rows: a failed, interrupted or unfinished read is its own row, never added into a byte sum', async () => {
  const a = await run('client-local');
  const [r] = ownRuns(a.model.timeline.records);
  assert.ok(r);
  const recv = r.calls.find((c) => c.fields.call === 'recvfrom')!;
  const at = (n: number, fields: Record<string, unknown>) => ({
    ...recv,
    line: recv.line + n,
    fields: { ...recv.fields, ...fields },
  });
  // As the runner logs them: strace's `recvfrom(3, <unfinished ...>` never resumed (the program
  // ended), and `<... recvfrom resumed> ...) = ? ERESTARTSYS` at the lab's stop.
  const unfinished = { result: -1, unfinished: true, bytes: undefined, size: undefined, data: undefined };
  const restart = { result: -1, errno: 'ERESTARTSYS', bytes: undefined, data: undefined };
  const rows = (calls: typeof r.calls, lang: 'en' | 'ru') =>
    foldCalls({ ...r, calls }, lang).rows.map((x) => x.text);
  assert.deepEqual(rows([at(0, unfinished)], 'ru'), [
    'recvfrom(3) (не вернулся: программа завершилась, пока он ждал)',
  ]);
  assert.deepEqual(rows([recv, at(1, restart)], 'ru'), [
    'recvfrom(3): 6, запрошено не больше 1024 байт',
    'recvfrom(3) = ? ERESTARTSYS (прерван сигналом, которым программу останавливают: обычное завершение)',
  ]);
  // A size strace did not show is not "asked for at most 0".
  assert.deepEqual(rows([at(0, { size: undefined })], 'en'), ['recvfrom(3): 6']);
  // A read that returned 0: on TCP the peer's FIN (its side closed), on UDP an empty datagram.
  const zero = { result: 0, bytes: 0, data: '' };
  assert.deepEqual(rows([at(0, { ...zero, type: 'tcp' })], 'ru'), [
    'recvfrom(3) = 0 (собеседник закрыл свою сторону: пришёл его FIN)',
  ]);
  assert.deepEqual(rows([at(0, { ...zero, type: 'udp' })], 'en'), ['recvfrom(3) = 0 (an empty datagram)']);
});

test('files shown: the script the command names first, marked as ran; other files of the folder by name, size and SHA-256, once', async () => {
  const { namedByCommand } = await import('../src/report/own-implementation.ts');
  assert.equal(namedByCommand('python3 server.py 7007', 'server.py'), true);
  assert.equal(namedByCommand('/usr/bin/python3 ./server.py', 'server.py'), true);
  assert.equal(namedByCommand('python3 server.py', 'client.py'), false);
  assert.equal(namedByCommand('./echo_server 7007', 'echo_server.c'), false);

  const a = await run('echo-server', 'client-local');
  const [server, client] = implementationData(a.model.timeline.records);
  assert.deepEqual(
    server?.files.map((f) => [f.path, f.ran]),
    [
      ['server.py', true],
      ['client.py', false],
    ],
  );
  assert.deepEqual(
    client?.files.map((f) => [f.path, f.ran]),
    [
      ['client.py', true],
      ['server.py', false],
    ],
  );
  for (const lang of ['ru', 'en'] as const) {
    const md = render(a, lang);
    const section = md.slice(
      md.indexOf(lang === 'ru' ? 'Реализация: ваши программы' : 'Implementation: your programs'),
    );
    // Each file's text once (the server's and the client's script), each marked as the code that ran.
    assert.equal(section.split('conn.recv(BUF_SIZE)').length - 1, 1, 'server.py text once');
    assert.match(
      section,
      lang === 'ru'
        ? /server\.py \(этот файл запускает команда выше\)/
        : /server\.py \(the command above runs this file\)/,
    );
    assert.match(
      section,
      lang === 'ru'
        ? /client\.py \(этот файл запускает команда выше\)/
        : /client\.py \(the command above runs this file\)/,
    );
    // Both files ran in some program, so no "other files" list is needed.
    assert.doesNotMatch(section, /Остальные файлы|The other files/);
  }
  // Only the server ran: client.py is listed once by name, size and SHA-256, without its text.
  const alone = render(await run('echo-server'), 'ru');
  assert.match(
    alone,
    /Остальные файлы папок программ[^\n]*\n\n- client\.py, 1556 байт, SHA-256 `[0-9a-f]{64}`/,
  );
  assert.doesNotMatch(alone, /Эхо-клиент на TCP/, 'the text of client.py is not shown');
});

test('recorded: a one-at-a-time server fails when a correct client waited for it; the client is not blamed', async () => {
  // Our one-at-a-time mutant served the local client (connected, stdin kept open) while the vm
  // client connected and sent `hello`; both were stopped 6.6 s later (one-at-a-time-* logs).
  const a = await run('one-at-a-time-server', 'one-at-a-time-client-local', 'one-at-a-time-client-vm');
  assert.deepEqual(failing(a, 'own-echo-server'), ['own-one-at-a-time-waited']);
  const f = check(a, 'own-echo-server')!.findings.find((x) => !x.ok)!;
  assert.deepEqual([f.params.scenario, f.params.busy, f.params.waited], ['vm', '127.0.0.1:58406', '6.6']);
  // Evidence from both traces: the server's accept of the busy connection, the client's connect and send.
  assert.deepEqual(
    f.evidence.map((r) => `${r.source}:${r.fields.call}`),
    [
      'one-at-a-time-server:accept4',
      'one-at-a-time-client-vm:connect',
      'one-at-a-time-client-vm:sendto',
      'one-at-a-time-client-vm:recvfrom',
      'one-at-a-time-server:close',
    ],
  );
  assert.deepEqual(f.where && [f.where.path, f.where.line, f.where.how], ['server.py', 43, 'match']);
  assert.match(f.where?.text ?? '', /server\.accept\(\)/);
  // The client sent its line whole and waited: n/a with the server named, not a failure.
  assert.equal(check(a, 'own-echo-client')?.status, 'pass');
  const busy = check(a, 'own-echo-client')!.findings.find((x) => x.code === 'own-client-echo-server-busy');
  assert.deepEqual([busy?.na, busy?.params.scenario, busy?.params.busy], [true, 'vm', '127.0.0.1:58406']);
});

test('recorded: without the server trace, the waiting client is judged on its own (the blame needs evidence)', async () => {
  const a = await run('one-at-a-time-client-vm');
  assert.deepEqual(failing(a, 'own-echo-client'), ['own-client-echo-missing']);
  const f = check(a, 'own-echo-client')!.findings.find((x) => !x.ok)!;
  assert.deepEqual(f.where && [f.where.path, f.where.line, f.where.how], ['client.py', 28, 'match']);
});

test('recorded: a one-at-a-time server that kept nobody waiting is noted, not failed', async () => {
  // Only the local client: the server had one connection, nobody waited.
  const a = await run('one-at-a-time-server', 'one-at-a-time-client-local');
  assert.equal(check(a, 'own-echo-server')?.status, 'pass');
  assert.equal(check(a, 'own-echo-client')?.status, 'pass');
});

test('a failing check points at the line: the read that asked 4096, the send of `exit`, the traceback', async () => {
  const big = check(await run('recv4096-server', 'recv4096-echo-local'), 'own-echo-server')!.findings.find(
    (x) => x.code === 'own-read-big',
  );
  assert.deepEqual(big?.where && [big.where.path, big.where.line, big.where.how], ['server.py', 17, 'match']);
  assert.match(big?.where?.text ?? '', /conn\.recv\(BUF_SIZE\)/);
  const exit = check(await run('ignores-exit-client'), 'own-echo-client')!.findings.find((x) => !x.ok);
  assert.deepEqual(exit?.where && [exit.where.path, exit.where.line], ['client.py', 22]);
  assert.match(exit?.where?.text ?? '', /sendall/);
  // The traceback mutant refused: Python's own traceback names the line (proven, not matched).
  const tb = check(await run('traceback-client'), 'own-echo-client')!.findings.find((x) => !x.ok);
  assert.equal(tb?.code, 'own-client-traceback');
  assert.deepEqual(tb?.where, {
    path: 'client.py',
    line: 12,
    text: 'sock.connect((HOST, PORT))',
    how: 'traceback',
  });
  // A passing finding points nowhere.
  const ok = check(await run('echo-server', 'echo-local'), 'own-echo-server')!.findings;
  assert.ok(ok.every((x) => x.where === undefined));
});

test('the report marks the line in the code and names it in the evidence, saying how sure it is', async () => {
  const a = await run('recv4096-server', 'recv4096-echo-local');
  const ru = render(a, 'ru');
  assert.match(
    ru,
    /\n17 > {13}data = conn\.recv\(BUF_SIZE\)[^\n]*\n {3}\| \^ ❌ recvfrom\(\) запросил у ядра 4096 байт[^\n]*\(вероятно, эта строка: найдена по тексту\)/,
  );
  assert.match(ru, /в вашем коде, вероятно, здесь: [^\n]*`server\.py:17` `data = conn\.recv\(BUF_SIZE\)/);
  const html = render(a, 'en', { format: 'html' });
  assert.match(html, /<span class="ln">17<\/span><span class="noted"> {12}data = conn\.recv\(BUF_SIZE\)/);
  assert.match(html, /in your code, probably here: the line whose text makes this call/);
  const tb = render(await run('traceback-client'), 'en');
  assert.match(tb, /in your code, the line the traceback names: `client\.py:12`/);
});

test('locateCall: a line holding the size asked, or a constant set to it, wins over the first read', async () => {
  const { locateCall } = await import('../src/report/own-source.ts');
  const text = [
    'import socket',
    'SMALL = 16',
    'BIG = 4096  # too big',
    '# conn.recv(4096) in a comment is not code',
    'hdr = conn.recv(SMALL)',
    'body = conn.recv(BIG)',
    'sys.stdout.write("x")',
    'conn.sendall(body)',
  ].join('\n');
  const rec = (fields: Record<string, unknown>) =>
    ({ event: 'own.sources', source: 's', line: 1, time: 0, fields }) as never;
  const runs = [
    {
      started: rec({ command: 'python3 server.py 7007' }),
      sources: rec({ files: [{ path: 'server.py', sha256: 'x', bytes: 1, text }] }),
      output: [],
    },
  ];
  assert.equal(locateCall(runs, 'read', '4096')?.line, 6);
  assert.equal(locateCall(runs, 'read')?.line, 5);
  assert.equal(locateCall(runs, 'write')?.line, 8, 'sys.stdout.write is not the socket write');
  assert.equal(locateCall(runs, 'accept'), undefined, 'no accept in the code: nothing is made up');
});

test("timelines: the own server's calls on each client's connection are in that client's scenario, after their causes", async () => {
  // Our local client with the student's server, and the student's clients with the one-at-a-time server.
  // The server's clock 2 s behind the clients' (containers' clocks differ): only the causal links
  // can keep its accept after the connect and its reads after the writes.
  const skewed = (name: string, ms: number) =>
    logs(name).map((l) => {
      const r = JSON.parse(l) as { time: string };
      return JSON.stringify({ ...r, time: new Date(Date.parse(r.time) + ms).toISOString() });
    });
  for (const names of [
    ['echo-server', 'echo-local'],
    ['one-at-a-time-server', 'one-at-a-time-client-local', 'one-at-a-time-client-vm'],
  ]) {
    const server = names[0]!;
    const a = await analyse(
      names.map((name) => ({ name, lines: name === server ? skewed(name, -2000) : logs(name) })),
    );
    let placed = 0;
    for (const view of a.model.scenarios) {
      const rs = view.records;
      const pos = (p: (r: (typeof rs)[number]) => boolean) => rs.findIndex(p);
      const mine = rs.filter((r) => r.source === server && r.event === 'own.call');
      if (mine.length === 0) continue;
      placed += mine.length;
      // Matched by the peer the server saw: every call of the server here is on this client's connection.
      const accept = mine[0]!;
      assert.match(String(accept.fields.call), /^accept/);
      const peer = accept.fields.peer;
      assert.ok(
        mine.every((r) => r.fields.peer === undefined || r.fields.peer === peer),
        view.name,
      );
      const connect = pos(
        (r) => r.source !== server && (r.event === 'client.connected' || r.fields.call === 'connect'),
      );
      const firstWrite = pos(
        (r) =>
          r.source !== server &&
          (r.event === 'client.data.sent' || (r.fields.call === 'sendto' && Number(r.fields.bytes) > 0)),
      );
      const firstServerRead = pos(
        (r) => r.source === server && r.fields.call === 'recvfrom' && Number(r.fields.bytes) > 0,
      );
      const firstServerWrite = pos((r) => r.source === server && r.fields.call === 'sendto');
      const firstClientRead = pos(
        (r) =>
          r.source !== server &&
          (r.event === 'client.data.received' ||
            (r.fields.call === 'recvfrom' && Number(r.fields.bytes) > 0)),
      );
      assert.ok(connect >= 0 && pos((r) => r === accept) > connect, `${view.name}: accept after connect`);
      assert.ok(firstServerRead > firstWrite, `${view.name}: the server reads after the client wrote`);
      if (firstClientRead >= 0)
        assert.ok(firstClientRead > firstServerWrite, `${view.name}: the echo is read after it was sent`);
    }
    assert.ok(placed >= 4, `${names.join(' ')}: the server's calls are placed (${placed})`);
  }
});

test('the one-line summary names the line too, saying how sure it is', async () => {
  const { summary } = await import('../src/report/index.ts');
  const a = await run('recv4096-server', 'recv4096-echo-local');
  assert.match(
    summary(a),
    /own-echo-server: a recvfrom\(\) asked the kernel for 4096 bytes[^;]* \(probably server\.py:17\)/,
  );
  assert.match(summary(a, 'ru'), /\(вероятно, server\.py:17\)/);
  assert.match(summary(await run('traceback-client')), /\(client\.py:12, named by the traceback\)/);
});
