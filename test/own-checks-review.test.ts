import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { type Analysis, analyse, render, summary } from '../src/report/index.ts';

// Two real runs of a student's four own programs (Docker lab, Compose v1): student-run (their
// fixed programs) and student-run-v1 (their first run: an echo server that dies of SIGTERM, a chat
// server that sends every datagram back to its sender too, a 1249-byte line read as 1024 + 225).
const dir = (name: string) => new URL(`fixtures/own/${name}/logs/`, import.meta.url);
const inputs = (name: string, edit: (file: string, lines: string[]) => string[] = (_f, l) => l) =>
  readdirSync(dir(name))
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.jsonl$/, ''),
      lines: edit(
        f,
        readFileSync(new URL(f, dir(name)), 'utf8')
          .split('\n')
          .filter(Boolean),
      ),
    }));
const check = (a: Analysis, id: string) => a.checks.find((c) => c.id === id)!;

test('both echo programs own: each connection compared byte for byte from both traces (1249 bytes as 1024 + 225)', async () => {
  const a = await analyse(inputs('student-run-v1'));
  const server = check(a, 'own-echo-server');
  const pairs = server.findings.filter((f) => f.code === 'own-pair-ok');
  assert.deepEqual(
    pairs.map((f) => [
      f.params.what,
      f.params.clientSent,
      f.params.serverRead,
      f.params.serverSent,
      f.params.clientRead,
    ]),
    [
      ['local (127.0.0.1:52256)', 30, 30, 30, 30],
      ['remote (198.18.81.2:37712)', 31, 31, 31, 31],
      // 27 + 71 + the 1249-byte Cyrillic line, read by the server in four reads (… 1024 + 225).
      ['vm (198.18.71.4:45476)', 1347, 1347, 1347, 1347],
    ],
  );
  assert.equal(pairs[2]!.params.reads, 4);
  // The remote client reached the server through NAT: matched by time, the server saw the router.
  assert.equal(pairs[1]!.params.seen, '198.18.71.2:37712');
  // Evidence from both traces: the client's write, the server's accept, read, write, the client's read.
  assert.deepEqual(
    pairs[2]!.evidence.map((r) => `${r.source}:${r.fields.call}`),
    [
      'stud-echo-vm:sendto',
      'stud-own-echo-server:accept4',
      'stud-own-echo-server:recvfrom',
      'stud-own-echo-server:sendto',
      'stud-echo-vm:recvfrom',
    ],
  );
  assert.equal(
    server.findings.some((f) => f.params.reason === 'no-client'),
    false,
  );
  // The lab's echo check is applicable too: it compares the same counts.
  assert.equal(check(a, 'echo').status, 'pass');
  assert.equal(check(a, 'echo').findings.filter((f) => f.code === 'own-pair-ok').length, 3);
  const ru = render(a, 'ru');
  assert.match(ru, /ваш клиент записал в сокет 1347 байт, ваш сервер прочитал 1347 \(за 4 вызова чтения;/);
  assert.match(render(a, 'en'), /your client wrote 1347 bytes, your server read 1347 \(in 4 reads,/);
});

test('both echo programs own: an echo short of 225 bytes fails with the four counts and the server line that writes', async () => {
  // The server's write of the last 225 bytes left out of its log: what a server that drops a portion shows.
  const a = await analyse(
    inputs('student-run-v1', (f, lines) =>
      f === 'stud-own-echo-server.jsonl'
        ? lines.filter((l) => !(l.includes('"call":"sendto"') && l.includes('"result":225')))
        : lines,
    ),
  );
  const f = check(a, 'own-echo-server').findings.find((x) => x.code === 'own-pair-diff')!;
  assert.deepEqual(
    [f.ok, f.params.clientSent, f.params.serverRead, f.params.serverSent, f.params.clientRead],
    [false, 1347, 1347, 1122, 1347],
  );
  assert.equal(check(a, 'own-echo-server').status, 'fail');
  assert.equal(check(a, 'echo').status, 'fail');
  assert.deepEqual(f.where && [f.where.path, f.where.how], ['server.py', 'match']);
  assert.match(f.where?.text ?? '', /send/);
  assert.match(render(a, 'ru'), /числа не совпадают, вернулись не все байты/);
});

test('both echo programs own: a client that reads back less than the server wrote fails the client check, not the server', async () => {
  // The client's read of the last 225 bytes left out of its log: a client that reads its echo once.
  const a = await analyse(
    inputs('student-run-v1', (f, lines) =>
      f === 'stud-echo-vm.jsonl'
        ? lines.filter((l) => !(l.includes('"call":"recvfrom"') && l.includes('"result":225')))
        : lines,
    ),
  );
  const short = (id: string) => check(a, id).findings.find((x) => x.code === 'own-pair-diff');
  const f = short('own-echo-client')!;
  assert.deepEqual(
    [f.ok, f.params.clientSent, f.params.serverRead, f.params.serverSent, f.params.clientRead],
    [false, 1347, 1347, 1347, 1122],
  );
  assert.equal(short('own-echo-server'), undefined, 'the server read and wrote back every byte');
  assert.equal(check(a, 'own-echo-client').status, 'fail');
  assert.equal(check(a, 'echo').status, 'fail');
  assert.match(f.where?.text ?? '', /recv/);
});

test('stop: an own echo server killed by SIGTERM (no handler) fails, with the setting and the fix; one that handles it passes', async () => {
  const killed = await analyse(inputs('student-run-v1'));
  const stopped = check(killed, 'stopped');
  assert.equal(stopped.status, 'fail');
  const f = stopped.findings.find((x) => x.code === 'own-stop-killed' && x.params.role === 'echo-server')!;
  assert.deepEqual(
    [f.params.role, f.params.signal, f.params.code, f.params.number, f.params.python, f.params.why],
    ['echo-server', 'SIGTERM', 143, 15, 'yes', 'server'],
  );
  // Evidence: the last line it printed and the runner's exit line; the shell's "Terminated" after
  // it is the shell's, not the program's (teacher's reading #5): named as such, not evidence.
  assert.deepEqual(
    f.evidence.map((r) => r.event),
    ['own.output', 'own.program.exited'],
  );
  assert.equal(f.params.shell, 'Terminated');
  // The chat server died the same way: it fails too (teacher's reading #10), saying why.
  const chat = stopped.findings.find((x) => x.code === 'own-stop-killed' && x.params.role === 'chat-server');
  assert.deepEqual([chat?.ok, chat?.params.why], [false, 'other']);
  const ru = render(killed, 'ru');
  assert.match(ru, /Ваш эхо-сервер \(stud-own-echo-server\) остановлен сигналом SIGTERM от программы стенда/);
  assert.match(ru, /код выхода 143 = 128 \+ 15/);
  assert.match(ru, /не выполняются ни `finally`, ни `except KeyboardInterrupt`/);
  assert.match(ru, /Задание требует, чтобы сервер выводил сообщение при остановке/);
  const en = render(killed, 'en');
  assert.match(
    en,
    /stopped by the lab's runner with SIGTERM \(how `docker compose stop` stops the containers/,
  );
  assert.match(en, /signal\.signal\(signal\.SIGTERM, handler\)/);

  const handled = await analyse(inputs('student-run'));
  // Its echo clients local and remote were killed with their connections open: they fail (main
  // task 4, teacher review A5.4); the server's own finding passes.
  assert.equal(check(handled, 'stopped').status, 'fail');
  const ok = check(handled, 'stopped').findings.find((x) => x.params.role === 'echo-server')!;
  assert.equal(ok.code, 'own-stop-handled');
  assert.match(String(ok.params.last), /Сервер остановлен/);
  assert.match(
    render(handled, 'ru'),
    /обработал сигнал SIGTERM от программы стенда и завершился сам \(код выхода 0\)/,
  );
});

test('a passing check with untested parts says so first, with how to test them, in both languages', async () => {
  const a = await analyse(inputs('student-run'));
  const client = check(a, 'own-echo-client');
  assert.equal(client.status, 'pass');
  const head = client.findings[0]!;
  assert.deepEqual([head.code, head.na], ['own-untested', true]);
  // The lab never points a client at a closed port; local and remote never typed `exit`, but vm
  // did (teacher review A5.2): exit is tested for some clients only, not untested in this run.
  assert.deepEqual(String(head.params.parts).split(',').sort(), ['refused']);
  assert.equal(head.params.some, 'exit');
  // The untested parts come right after it, before what passed.
  const firstPass = client.findings.findIndex((f) => !f.na);
  assert.ok(client.findings.slice(1, firstPass).every((f) => f.na));
  const chat = check(a, 'own-chat-server');
  assert.equal(chat.findings[0]!.code, 'own-untested');
  assert.match(String(chat.findings[0]!.params.parts), /na-probe/);
  const ru = render(a, 'ru');
  assert.match(
    ru,
    /\| Ваш эхо-клиент: [^|]+ \| ✅ пройдена частично \| не проверено в этом запуске: [^|]*отказ в соединении[^|]*Как проверить: /,
  );
  assert.match(ru, /npx socket-lab own --role echo-client --host 127\.0\.0\.1 --port 1/);
  // Every untested part is named in words with how to test it, never by its code.
  for (const line of ru.match(/не проверено в этом запуске: [^.]*\./g) ?? [])
    assert.doesNotMatch(line, /другая часть|\b(na|nat|own)-[a-z-]+/, line);
  assert.match(ru, /не проверено в этом запуске: странные дейтаграммы, NAT\./);
  const en = render(a, 'en');
  assert.match(
    en,
    /\| ✅ passed in part \| not tested in this run: [^|]*a refused connection[^|]*To test them: /,
  );
});

test('the summary line counts as the report does, and names checks in Russian, ids only in parentheses', async () => {
  const a = await analyse(inputs('student-run-v1'));
  const ru = summary(a, 'ru');
  const md = render(a, 'ru');
  const line = /\*\*Проверки: пройдено (\d+), не пройдено (\d+), неприменимо (\d+)\*\*/.exec(md)!;
  assert.ok(line, 'the report has its count line');
  const [, pass, fail, na] = line;
  assert.match(ru, new RegExp(`^проверки: пройдено ${pass} из ${Number(pass) + Number(fail) + Number(na)} `));
  assert.match(ru, new RegExp(`не пройдено ${fail}, неприменимо ${na}[ ;]`));
  assert.match(md, new RegExp(`Проверки: пройдено ${pass} из ${Number(pass) + Number(fail) + Number(na)}`));
  // Passed with untested parts: said in the line, by Russian names.
  assert.match(
    ru,
    /\(у 3 из них есть части, не проверенные в этом запуске: ваш эхо-сервер, ваш эхо-клиент, ваш чат-клиент\)/,
  );
  assert.match(ru, /не пройдены: остановка программ \(stopped\): /);
  assert.match(ru, /; ваш чат-сервер \(own-chat-server\): /);
  // No bare id lists ("неприменимы: echo, chat, wire").
  assert.doesNotMatch(ru, /неприменимы:|[:,] (echo|chat|wire|stopped|own-[a-z-]+)(,|;|$)/);
  const en = summary(a, 'en');
  assert.match(
    en,
    new RegExp(`^checks: ${pass} of 10 pass \\(3 of them with parts not tested in this run: `),
  );
  assert.match(en, /; failed: stopped: .*; own-chat-server: /);
});

test("the own chat server's relay back to the sender points at its sendto line (probably here)", async () => {
  const a = await analyse(inputs('student-run-v1'));
  const f = check(a, 'own-chat-server').findings.find((x) => x.code === 'back-to-sender')!;
  assert.equal(f.ok, false);
  assert.deepEqual(f.where && [f.where.path, f.where.line, f.where.text, f.where.how], [
    'chat_server.py',
    20,
    'sock.sendto(data, client)',
    'match',
  ]);
  assert.match(summary(a, 'ru'), /\(вероятно, chat_server\.py:20\)/);
  assert.match(render(a, 'ru'), /в вашем коде, вероятно, здесь: [^\n]*`chat_server\.py:20`/);
});

test("the chat client's typing check never counts a copy of its own message as another member's", async () => {
  const a = await analyse(inputs('student-run-v1'));
  const typing = check(a, 'own-chat-client').findings.filter((f) => f.code === 'typing-ok');
  // Each shown message came from the other member: the vm client's from remote-user, the remote's from vm-user.
  const byClient = (source: string) =>
    typing
      .filter((f) => f.evidence.some((r) => r.source === source))
      .map((f) => String(f.params.text).split(':')[0]);
  assert.ok(byClient('stud-chat-vm').length > 0);
  assert.ok(
    byClient('stud-chat-vm').every((nick) => nick === 'remote-user'),
    byClient('stud-chat-vm').join(),
  );
  assert.ok(byClient('stud-chat-remote').length > 0);
  assert.ok(
    byClient('stud-chat-remote').every((nick) => nick === 'vm-user'),
    byClient('stud-chat-remote').join(),
  );
  // The server did send the vm client its own "joined the chat" back: that copy is left out.
  assert.equal(
    typing.some(
      (f) =>
        f.params.text === 'vm-user: joined the chat' && f.evidence.some((r) => r.source === 'stud-chat-vm'),
    ),
    false,
  );
});

test('stop, recorded locally with `socket-lab own`: the same two servers under SIGTERM, one killed, one handling it', async () => {
  const one = async (name: string) =>
    analyse([
      {
        name,
        lines: readFileSync(new URL(`fixtures/own/logs/${name}.jsonl`, import.meta.url), 'utf8')
          .split('\n')
          .filter(Boolean),
      },
    ]);
  const killed = check(await one('sigterm-killed-server'), 'stopped');
  assert.equal(killed.status, 'fail');
  assert.deepEqual(
    killed.findings.map((f) => [f.code, f.params.signal, f.params.code]),
    [['own-stop-killed', 'SIGTERM', 143]],
  );
  assert.match(String(killed.findings[0]!.params.last), /Начало прослушивания порта 47123/);
  const handled = check(await one('sigterm-handled-server'), 'stopped');
  assert.equal(handled.status, 'pass');
  assert.deepEqual(
    handled.findings.map((f) => [f.code, f.params.code, f.params.last]),
    [['own-stop-handled', 0, '[04:44:08] Сервер остановлен']],
  );
});
