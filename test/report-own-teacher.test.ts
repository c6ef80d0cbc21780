/**
 * The strict teacher's reading of the own-programs report (fix round of 2026-12-02): each text
 * fixed here is checked on the reviewer's run (test/fixtures/own/student-run) and, where the text
 * became conditional, on a run of the lab's own programs (docs/examples/logs), in both languages.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../src/report/index.ts';
import type { LogRecord } from '../src/report/parse.ts';
import { shellLine } from '../src/report/own-checks.ts';
import { blockingMode } from '../src/report/own-source.ts';
import type { OwnRun } from '../src/report/own-checks.ts';
import { part } from './report-fixtures.ts';

const RUN = 'test/fixtures/own/student-run/logs';
const LAB = 'docs/examples/logs';

const cache = new Map<string, Promise<{ ru: string; en: string }>>();
function reports(dir: string) {
  let p = cache.get(dir);
  if (!p) {
    p = (async () => {
      const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
      const model = await analyse(
        files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })),
      );
      return { ru: render(model, 'ru'), en: render(model, 'en') };
    })();
    cache.set(dir, p);
  }
  return p;
}

const occurrences = (s: string, sub: string) => s.split(sub).length - 1;

test('#1 select(): it waits on all its sockets at once until at least one is ready, not for all of them', async () => {
  const { ru, en } = await reports(RUN);
  const q3ru = part(ru, '### Вопрос 3.');
  const q3en = part(en, '### Question 3.');
  assert.match(q3ru, /ждёт сразу на всех своих сокетах, пока хотя бы один из них не станет готов/);
  assert.doesNotMatch(q3ru, /ждёт готовности всех/);
  assert.match(q3en, /waits on all its sockets at once until at least one of them is ready/);
  assert.doesNotMatch(q3en, /waits for all its sockets/);
});

test('#3 address plan: each client address cites a record that holds that address as its own end', async () => {
  const { ru, en } = await reports(RUN);
  for (const md of [ru, en]) {
    const setup = part(md, md === ru ? '## Стенд' : '## Setup');
    const rows = [
      ...setup.matchAll(/^\| `([^`]+)` \| [^|]+ \| `[^`]+` \| `([0-9.]+)` \(`([a-z-]+):(\d+)`\) \|$/gm),
    ];
    const clients = rows.filter((m) => /^stud-(echo|chat)-/.test(m[1]!));
    assert.equal(clients.length, 5, 'five client rows with a citation');
    for (const [, , address, source, line] of clients) {
      const text = readFileSync(join(RUN, `${source}.jsonl`), 'utf8').split('\n')[Number(line) - 1]!;
      const local = (JSON.parse(text) as { local?: string }).local;
      assert.ok(
        local?.startsWith(`${address}:`),
        `${source}:${line} holds ${address} as local (it holds ${local})`,
      );
    }
  }
});

test('#4 main task: with the student server a portion is one of its own reads, and the lab server’s is named apart', async () => {
  const { ru, en } = await reports(RUN);
  const mru = part(ru, '### 1. ');
  const men = part(en, '### 1. ');
  assert.match(
    mru,
    /с вашим сервером порция — это одно его собственное чтение: байты, которые вернул один такой вызов/,
  );
  assert.match(mru, /у того порция — кусок не больше 1 КБ, вырезанный из одного более крупного чтения/);
  assert.match(men, /with your server a portion is one of its own reads: the bytes one such call returned/);
  assert.doesNotMatch(mru, /порции здесь — его собственные чтения/);
});

test('#5 the shell’s "Terminated" is shown as the shell’s, explained once, never as the program’s stderr', async () => {
  const { ru, en } = await reports(RUN);
  const iru = part(ru, '## Реализация: ваши программы');
  const ien = part(en, '## Implementation: your programs');
  assert.doesNotMatch(iru, /\[stderr\] Terminated/);
  assert.equal(occurrences(iru, '[оболочка /bin/sh, запустившая программу] Terminated'), 4);
  assert.equal(occurrences(iru, 'Строку «Terminated» напечатала не ваша программа, а оболочка /bin/sh'), 1);
  assert.match(iru, /завершил сигнал SIGTERM \(код выхода 143 = 128 \+ номер сигнала\)/);
  assert.doesNotMatch(ien, /\[stderr\] Terminated/);
  assert.equal(occurrences(ien, '[/bin/sh, which ran the program] Terminated'), 4);
});

/** A run with the given exit code and output lines ([stream, text]). */
function fakeRun(code: number | undefined, output: Array<[string, string]>): OwnRun {
  const rec = (fields: Record<string, unknown>): LogRecord =>
    ({ fields, event: 'own.output', source: 'x', line: 1, time: 0 }) as unknown as LogRecord;
  return {
    role: 'chat-client',
    scenario: 'vm',
    source: 'x',
    started: rec({}),
    exited: code === undefined ? undefined : rec({ code }),
    calls: [],
    summaries: [],
    output: output.map(([stream, text]) => rec({ stream, text })),
    input: [],
    failed: [],
    sources: undefined,
    traced: true,
  };
}

test('#5 shellLine(): only the last stderr line that is exactly the shell’s message for the status 128 + signal', () => {
  assert.deepEqual(
    shellLine(
      fakeRun(143, [
        ['stdout', 'hi'],
        ['stderr', 'Terminated'],
      ]),
    ),
    {
      index: 1,
      text: 'Terminated',
      code: 143,
      signal: 'SIGTERM',
    },
  );
  assert.equal(
    shellLine(
      fakeRun(137, [
        ['stderr', 'Killed'],
        ['stdout', '> '],
      ]),
    )?.signal,
    'SIGKILL',
  );
  assert.equal(shellLine(fakeRun(139, [['stderr', 'Segmentation fault (core dumped)']]))?.signal, 'SIGSEGV');
  // The program's own words, an exit code of its own, an INT (dash says nothing), no exit record.
  assert.equal(
    shellLine(
      fakeRun(143, [
        ['stderr', 'Terminated'],
        ['stderr', 'Traceback'],
      ]),
    ),
    undefined,
  );
  assert.equal(shellLine(fakeRun(0, [['stderr', 'Terminated']])), undefined);
  assert.equal(shellLine(fakeRun(1, [['stderr', 'Terminated']])), undefined);
  assert.equal(shellLine(fakeRun(130, [['stderr', 'Interrupt']])), undefined);
  assert.equal(shellLine(fakeRun(undefined, [['stderr', 'Terminated']])), undefined);
  assert.equal(shellLine(fakeRun(143, [['stdout', 'Terminated']])), undefined);
});

test('#14 recv()/send()/sendall() as recvfrom()/sendto(): explained once where the calls are shown, only when the trace has them', async () => {
  const { ru, en } = await reports(RUN);
  assert.equal(occurrences(ru, 'видны в strace как recvfrom() и sendto() без адреса'), 1);
  assert.match(part(ru, '## Реализация: ваши программы'), /sendall\(\) — это цикл вызовов send\(\)/);
  assert.equal(occurrences(en, 'show in strace as recvfrom() and sendto() with no address'), 1);
  assert.match(
    part(ru, '### 1. '),
    /так strace показывает recv\(\): см\. раздел «Реализация: ваши программы»/,
  );
  const lab = await reports(LAB);
  assert.doesNotMatch(lab.ru, /видны в strace как recvfrom\(\)/);
  assert.doesNotMatch(lab.en, /show in strace as recvfrom\(\)/);
});

test('#16 Q4: Python raises BlockingIOError; the student’s sockets are said plainly to be blocking, from their code', async () => {
  const { ru, en } = await reports(RUN);
  const q4ru = part(ru, '### Вопрос 4.');
  const q4en = part(en, '### Question 4.');
  assert.match(q4ru, /в Python вызов выбрасывает исключение BlockingIOError/);
  assert.match(q4en, /in Python the call raises BlockingIOError/);
  assert.match(
    q4ru,
    /Сокеты ваших программ были блокирующими \(так по умолчанию\): код, который работал \(`server\.py`, `chat_server\.py`, `client\.py`, `chat_client\.py`\)/,
  );
  assert.match(q4en, /Your programs’ sockets were blocking \(the default\)/);
  // The lab's own run: the general answer, nothing said about "your" sockets.
  const lab = await reports(LAB);
  assert.match(part(lab.ru, '### Вопрос 4.'), /BlockingIOError/);
  assert.doesNotMatch(part(lab.ru, '### Вопрос 4.'), /ваших программ/);
  assert.doesNotMatch(part(lab.en, '### Question 4.'), /your programs’ sockets/i);
});

const src = (path: string, text: string) => ({ path, sha256: 'x', bytes: text.length, text });
function runWith(command: string, files: Array<ReturnType<typeof src>>): OwnRun {
  const r = fakeRun(0, []);
  return {
    ...r,
    started: { ...r.started, fields: { command } },
    sources: { ...r.started, fields: { files } },
  };
}

test('#16 blockingMode(): the line that makes a socket non-blocking or sets a timeout; unknown without code', () => {
  const nb = blockingMode([
    runWith('python3 s.py', [src('s.py', 'import socket\ns = socket.socket()\ns.setblocking(False)\n')]),
  ]);
  assert.equal(nb.kind, 'non-blocking');
  assert.equal(nb.where?.line, 3);
  const c = blockingMode([
    runWith('./srv', [src('srv.c', 'int fd;\nfcntl(fd, F_SETFL, fl | O_NONBLOCK);\n')]),
  ]);
  assert.equal(c.kind, 'non-blocking');
  const to = blockingMode([runWith('python3 c.py', [src('c.py', 's.settimeout(5)\n')])]);
  assert.equal(to.kind, 'timeout');
  // A comment is not code; settimeout(None) is blocking; each program's own files only.
  const none = blockingMode([
    runWith('python3 a.py', [
      src('a.py', '# s.setblocking(False)\ns.settimeout(None)\n'),
      src('b.py', 's.setblocking(0)\n'),
    ]),
  ]);
  assert.deepEqual(none, { kind: 'none', paths: ['a.py'] });
  assert.deepEqual(blockingMode([fakeRun(0, [])]), { kind: 'none', paths: [] });
});

test('#9 Q5: datagrams the relay did not send on are delivered, not lost, and the cause is the relay’s design', async () => {
  const { ru, en } = await reports(RUN);
  const q5ru = part(ru, '### Вопрос 5.');
  const q5en = part(en, '### Question 5.');
  assert.doesNotMatch(q5ru, /не потеряна — ещё не значит/);
  assert.match(
    q5ru,
    /Ваш чат-сервер получил 5 дейтаграмм \(каждую вернул его recvfrom\(\)\)\. 2 из них он никому не переслал/,
  );
  assert.match(
    q5ru,
    /так устроен ретранслятор \(он пересылает сообщение тем участникам, которых уже знает\)/,
  );
  assert.match(
    q5ru,
    /ретранслятор поверх TCP, к которому ещё не подключился никто другой, тоже не переслал бы их/,
  );
  assert.match(q5en, /received 5 datagrams \(its recvfrom\(\) returned each\)/);
  assert.doesNotMatch(q5en, /Not lost is not the same as delivered/);
});

test('#11 pids: said whose they are (the program in its container, the runner) where they first show', async () => {
  const { ru, en } = await reports(RUN);
  assert.match(
    part(ru, '## Стенд'),
    /«pid N» — номер процесса вашей программы, каким его видел strace внутри её контейнера/,
  );
  assert.match(
    part(ru, '## Стенд'),
    /поле `pid` строки журнала — ещё один процесс: программа запуска стенда/,
  );
  assert.match(part(en, '## Setup'), /the same number in two containers means two different processes/);
  assert.match(part(ru, '### Вопрос 4.'), /\(его номер в контейнере сервера, как его видел strace: 23\)/);
  const lab = await reports(LAB);
  assert.doesNotMatch(lab.ru, /«pid N»/);
});

test('#21, #2: the calls table has no column with the same value in every row, and the fold is described as consecutive', async () => {
  const { ru, en } = await reports(RUN);
  const iru = part(ru, '## Реализация: ваши программы');
  assert.doesNotMatch(iru, /подтверждает/);
  assert.match(iru, /^\| № \| системный вызов \(fd\), свёрнуто \|$/m);
  assert.match(iru, /любой другой вызов между ними начинает новую строку/);
  assert.doesNotMatch(part(en, '## Implementation: your programs'), /evidence for \|/);
});

test('#15 Q5: "no datagram lost" concluded from the counts on both ends (the traces), per client', async () => {
  const { ru, en } = await reports(RUN);
  assert.match(
    part(ru, '### Вопрос 5.'),
    /По трассировкам обеих сторон в этом запуске ни одна дейтаграмма чата не потерялась .*`stud-chat-vm` отправил 2 дейтаграммы, сервер получил от него 2 и отправил ему 3, а он прочитал 3; `stud-chat-remote` отправил 3 дейтаграммы, сервер получил от него 3 и отправил ему 0, а он прочитал 0\./,
  );
  assert.match(
    part(en, '### Question 5.'),
    /By the traces of both ends, no chat datagram was lost in this run/,
  );
  const lab = await reports(LAB);
  assert.doesNotMatch(lab.ru, /По трассировкам обеих сторон/);
});
