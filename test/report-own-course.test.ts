import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../src/report/index.ts';
import { part } from './report-fixtures.ts';

/** A reviewer's whole run with four programs of their own (README.md beside the logs). */
const RUN = 'test/fixtures/own/student-run/logs';
/** An earlier run of the same programs (and the same lab) with a 1249-byte Cyrillic line typed into echo-vm. */
const LONG = 'test/fixtures/own/student-run-v1/logs';

async function reports(dir: string) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const model = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })),
  );
  return { ru: render(model, 'ru'), en: render(model, 'en') };
}

const FALSE_RU = [
  /ни один эхо-клиент не подключился/,
  /нет эхо-клиента/,
  /Ни один клиент в этом запуске не завершился командой/,
  /ни один чат-клиент не вошёл в чат/,
  /нет принятых соединений/,
  /не содержала символов вне ASCII/,
  /обслужил 0 TCP-соединений/,
  /поле `open` в \)/,
  /клиенты подключались по очереди/,
  /В журналах нет соединений, из которых можно сделать выводы/,
  /`stud-server` \(эхо-сервер TCP и чат-сервер UDP\)/,
  /npx socket-lab echo/,
];
const FALSE_EN = [
  /No echo client connected in this run/,
  /No echo client in this run’s logs/,
  /No client in this run ended with/,
  /No chat client joined in this run/,
  /hold no accepted connection/,
  /No line of this run held non-ASCII text/,
  /served 0 TCP connections/,
  /the `open` field of \)/,
  /the clients came one after another/,
  /The logs hold no connection to draw a conclusion from/,
  /`stud-server` \(TCP echo and UDP chat server\)/,
  /npx socket-lab echo/,
];

test('own programs: the course sections say none of the false "none" sentences, in both languages', async () => {
  for (const dir of [RUN, LONG]) {
    const { ru, en } = await reports(dir);
    for (const re of FALSE_RU) assert.doesNotMatch(ru, re, `${dir} (ru): ${re}`);
    for (const re of FALSE_EN) assert.doesNotMatch(en, re, `${dir} (en): ${re}`);
    // Every scenario's connections table has rows: the student's clients and what their server saw.
    for (const [md, word] of [
      [ru, 'Сценарий'],
      [en, 'Scenario'],
    ] as const) {
      for (const scenario of ['local', 'vm', 'remote']) {
        const table = part(md, `#### ${word} \`${scenario}\``);
        assert.match(
          table,
          /\n\| `stud-echo-[a-z]+ pid \d+` \| `/,
          `${dir}: ${scenario} lists the echo client`,
        );
      }
    }
  }
});

test('own programs: main task 1 shows the student server’s reads of the 1249-byte line (1024 + 225)', async () => {
  const { ru, en } = await reports(LONG);
  const ruItem = part(ru, '### 1. ');
  assert.match(ruItem, /строку длиной \*\*1249 байт\*\*/);
  assert.match(ruItem, /\*\*1024 \+ 225 = 1249 байт\*\*/);
  assert.match(
    ruItem,
    /`recvfrom\(6, …, 1024\) = 1024` \(`stud-own-echo-server:\d+`\), `recvfrom\(6, …, 1024\) = 225`/,
  );
  assert.doesNotMatch(ruItem, /Ни одна строка в этом запуске не была длиннее/);
  assert.doesNotMatch(ruItem, /до 64 КиБ/, 'our server’s 64 KiB read is not the student’s');
  const enItem = part(en, '### 1. ');
  assert.match(enItem, /a line of \*\*1249 bytes\*\*/);
  assert.match(enItem, /\*\*1024 \+ 225 = 1249 bytes\*\*/);
  // The run without a long line says so, and how to show it with the student's own client.
  const { ru: short } = await reports(RUN);
  assert.match(part(short, '### 1. '), /введите или вставьте в ваш эхо-клиент строку длиннее 1024 байт/);
});

test('own programs: main task 2 and 4 show the student programs’ calls and printed lines', async () => {
  const { ru, en } = await reports(RUN);
  const server = part(ru, '### 2. ');
  for (const line of [
    /`python3 server\.py 7007`.*`\[04:23:05\] Сервер запускается`/,
    /`listen\(3, …\) = 0`.*Начало прослушивания порта 7007/,
    /`accept4\(3, …\) = 4`.*Подключился клиент 127\.0\.0\.1:45890/,
    /`recvfrom\(4, …, 1024\) = 30`.*Получено от 127\.0\.0\.1:45890: 30 байт/,
    /`sendto\(4, …, 30\) = 30`.*Отправлено клиенту 127\.0\.0\.1:45890: 30 байт/,
    // The cause the server learnt it from: the read that returned 0 (the client's FIN), not its close().
    /`recvfrom\(6, …, 1024\) = 0`.*Клиент 198\.18\.71\.4:60328 отключился/,
    /`close\(3\) = 0`.*Сервер остановлен/,
  ])
    assert.match(server, line);
  assert.doesNotMatch(server, /в журналах этого запуска нет/);
  // A printed line's time is when the runner read it from the pipe: never "printed after the call".
  assert.doesNotMatch(server, /после (этого вызова|него)/);
  assert.match(server, /прочитал её из канала \(pipe\) программы, а не момент вызова/);
  assert.match(server, /напечатал рядом с этим вызовом/);
  assert.doesNotMatch(server, /который его совершил|её слова называют/);
  // No row is late here, so the intro promises no marks; the start row's command is not a system call.
  assert.doesNotMatch(server, /отмечены/);
  assert.match(server, /\| системный вызов \(трассировка\) или команда \|/);
  assert.match(part(en, '### 2. '), /when the runner read it from the program’s pipe/);
  assert.doesNotMatch(part(en, '### 2. '), /printed after/);
  assert.match(part(en, '### 2. '), /server stop \| `close\(3\) = 0`/);
  // The earlier server handled only Ctrl+C: stopped by SIGTERM it printed no stop line, and the table says so.
  const { ru: long } = await reports(LONG);
  assert.match(
    part(long, '### 2. '),
    /не напечатала строки — ни рядом с вызовом, ни позже со словом, которое его называет: остановка сервера/,
  );
  const client = part(ru, '### 4. ');
  assert.match(client, /`connect\(3, …\) = 0`.*Подключено к серверу 198\.18\.71\.10:7007/);
  assert.match(client, /`close\(3\) = 0`.*Отключено от сервера/);
  assert.doesNotMatch(client, /после него|который его совершил/);
  assert.match(client, /прочитал её из канала/);
  const lines = part(ru, '### 3. ');
  assert.match(lines, /`Проверка под Compose v1: ёжик в тумане\\n` \| 61 \| 61 байт/);
});

test('own programs: exit, the chat, Q1–Q4 and the conclusions come from the student programs’ traces', async () => {
  const { ru, en } = await reports(RUN);
  const exit = part(ru, '### Завершение сеанса командой');
  assert.match(exit, /`stud-echo-vm` \(`vm`\): `exit` \(`stud-echo-vm:\d+`\) → `close\(3\) = 0`/);
  const chat = part(ru, '### Многопользовательский чат на UDP');
  assert.match(
    chat,
    /`198\.18\.71\.3:44870` \(`stud-chat-vm`, `vm`\), `198\.18\.71\.2:42966` \(`stud-chat-remote`, `remote`\)/,
  );
  assert.match(chat, /`remote-user: joined the chat` \| 28 \| 1 \| `stud-chat-vm` \(`vm`\)/);
  assert.match(part(ru, '### Вопрос 1.'), /accept\(\) вернул 3 соединённых сокета/);
  assert.match(
    part(ru, '### Вопрос 2.'),
    /`Проверка под Compose v1: ёжик в тумане`.*38 символов.*\*\*60 байт\*\*/,
  );
  const q3 = part(ru, '### Вопрос 3.');
  assert.match(q3, /ждал в \*\*pselect6\(\)\*\* \(системный вызов, которым в Linux выполняется select\(\)\)/);
  assert.doesNotMatch(q3, /strace -f -e trace=epoll_pwait/);
  assert.match(
    part(en, '### Question 3.'),
    /waited in \*\*pselect6\(\)\*\* \(the system call behind select\(\) on Linux\)/,
  );
  const q4 = part(ru, '### Вопрос 4.');
  // The most were open: say it was exactly that many, from the accept that reached it to the next close.
  assert.match(
    q4,
    /одновременно было открыто самое большее \*\*3\*\*, ровно столько — от `accept4\(3, …\) = 6` \(`stud-own-echo-server:26`\) до `close\(6\) = 0`/,
  );
  assert.match(q4, /один поток обслуживал несколько соединений одновременно/);
  assert.match(part(en, '### Question 4.'), /at most \*\*3\*\* were open at once, exactly 3 from/);
  // The lab's server did not run: Q3 says nothing of its epoll; it says a blocking write can stall the loop.
  assert.doesNotMatch(q3, /Сервер стенда \(Node\)|epoll_pwait/);
  assert.match(q3, /send\(\)\/sendall\(\) на блокирующем сокете ждёт/);
  // Q5: the student's chat server has no timeout; Q6: the UDP connect() was the student's chat client's.
  const q5 = part(ru, '### Вопрос 5.');
  assert.doesNotMatch(q5, /удаляет молчащих|по тайм-ауту/);
  assert.match(q5, /Ни TCP, ни UDP сами по себе не замечают исчезновения собеседника/);
  assert.doesNotMatch(q5, /PING/);
  // 2 of the 5 datagrams went to nobody: delivered to the server, not sent on by its design.
  assert.match(
    q5,
    /Ваш чат-сервер получил 5 дейтаграмм \(каждую вернул его recvfrom\(\)\)\. 2 из них он никому не переслал/,
  );
  const q6 = part(ru, '### Вопрос 6.');
  assert.doesNotMatch(q6, /чат-клиент стенда/);
  assert.match(
    q6,
    /ваш чат-клиент вызвал connect\(\) для своего UDP-сокета: `connect\(3, …\) = 0` \(`stud-chat-vm:5`\)/,
  );
  const end = part(ru, '## Выводы');
  assert.match(
    end,
    /`remote`: локальный адрес вашего клиента — `198\.18\.81\.2`, ваш сервер увидел `198\.18\.71\.2`/,
  );
  assert.match(end, /одновременно были открыты до 3 \(какое-то время — ровно 3\), ожидание — в pselect6\(\)/);
  assert.match(ru, /`stud-server` \(сервер стенда: уступил место вашим эхо-серверу и чат-серверу\)/);
  assert.match(en, /`stud-own-echo-server` \(your echo server\)/);
  // Calques the teacher struck out: «собственный адрес/конец», «узел перед сервером».
  assert.doesNotMatch(ru, /собственн\S* (адрес|конец)|перед сервером|перед собой/);
  assert.doesNotMatch(en, /in front of (the server|it)/);
  // One accusative form for a client program: «завершает клиент», never «клиента».
  assert.doesNotMatch(ru, /заверш\S+ клиента/);
});

/** The report of some logs of test/fixtures/own/logs (a student's programs run by `socket-lab own`, beside ours or alone). */
async function ownLogs(...names: string[]) {
  const model = await analyse(
    names.map((n) => ({ name: n, lines: lazyLines(join('test/fixtures/own/logs', `${n}.jsonl`)) })),
  );
  return { ru: render(model, 'ru'), en: render(model, 'en') };
}

test('own programs: a threaded server alone and our client — reads shared by two lines say so, Q3 names the threads', async () => {
  const { ru, en } = await ownLogs('echo-server', 'echo-local');
  const item = part(en, '### 1. ');
  assert.match(item, /a line of \*\*2501 bytes\*\*/);
  assert.match(
    item,
    /1024 \+ 1024 \+ 459 = 2507 bytes.*\(those reads also held bytes of the neighbouring lines\)/,
  );
  assert.doesNotMatch(item, /up to 64 KiB/);
  assert.match(
    part(ru, '### 3. '),
    /`hello` \| 6 \| 1024 байта \(`echo-server:\d+`; вместе с байтами соседних строк\)/,
  );
  const q3 = part(ru, '### Вопрос 3.');
  assert.match(
    q3,
    /не вызывал select\(\)\/poll\(\)\/epoll: его вызовы accept\(\) и recv\(\) сделаны в 2 потоках или процессах/,
  );
  assert.doesNotMatch(q3, /этот ждал в epoll_pwait/);
  // A line printed late but naming the event is shown with its delay, not as missing.
  assert.match(
    part(ru, '### 2. '),
    /Подключился клиент 127\.0\.0\.1:43636` \(`echo-server:\d+`; отмечена: прочитана из канала через \d+ мс после вызова/,
  );
  assert.match(part(ru, '### 2. '), /\(такие строки отмечены\)/);
  assert.doesNotMatch(part(ru, '## Цель работы'), /до 64 КиБ/);
});

test('own programs: a one-at-a-time server — Q3 says it blocked in accept(), Q4 that no two connections were open at once', async () => {
  const { ru, en } = await ownLogs(
    'one-at-a-time-server',
    'one-at-a-time-client-local',
    'one-at-a-time-client-vm',
  );
  assert.match(part(ru, '### Вопрос 3.'), /работал в одном потоке: он блокировался в accept\(\)/);
  const q4 = part(en, '### Question 4.');
  assert.match(
    q4,
    /accepted 2 TCP connections; by its accept\(\) and close\(\) calls, at most \*\*1\*\* was open at once/,
  );
  assert.match(q4, /no two connections open at once/);
});

test('the chat check with their own chat clients: each datagram judged by the other client’s read, from the traces', async () => {
  const files = readdirSync(RUN).filter((f) => f.endsWith('.jsonl'));
  const model = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(RUN, f)) })),
  );
  const chat = model.checks.find((c) => c.id === 'chat')!;
  assert.equal(chat.status, 'pass');
  // The remote client's three datagrams reached the vm client (which was a member by then); the vm
  // client wrote both of its own before the remote one had sent anything: not judged as deliveries,
  // each a note that it reached no one (teacher review A2.2); the direction vm → remote is untested
  // (its own finding, own-stop-chat.test.ts).
  const judged = chat.findings.filter((f) => !f.na);
  assert.deepEqual(
    judged.map((f) => [f.code, f.params.from, f.params.to, f.params.bytes]),
    [28, 36, 69].map((b) => ['chat-ok', 'stud-chat-remote (remote)', 'stud-chat-vm (vm)', b]),
  );
  assert.ok(judged.every((f) => f.evidence.length === 2 && f.evidence[1]!.source === 'stud-chat-vm'));
  assert.deepEqual(
    chat.findings.filter((f) => f.note).map((f) => [f.code, f.params.bytes]),
    [
      ['chat-nobody-yet', 24],
      ['chat-nobody-yet', 31],
    ],
  );
});
