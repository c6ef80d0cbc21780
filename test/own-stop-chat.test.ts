/**
 * The stop check and the chat check of a student's own programs after the strict teacher's reading:
 * every program the signal killed silently fails (chat programs too); the shell's "Terminated" is
 * not the program's; the chat check names the directions it did not see; the Russian says «стенд».
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { checkCounts, checkSummary } from '../src/report/check.ts';
import { type Analysis, analyse, render } from '../src/report/index.ts';
import { OWN_FINDINGS } from '../src/report/own-texts.ts';

// The student's run the strict teacher read (docs/examples/own): their own echo and chat programs.
const dir = new URL('fixtures/own/student-run/logs/', import.meta.url);
const inputs = (edit: (file: string, lines: string[]) => string[] = (_f, l) => l) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.jsonl$/, ''),
      lines: edit(f, readFileSync(new URL(f, dir), 'utf8').split('\n').filter(Boolean)),
    }));
const check = (a: Analysis, id: string) => a.checks.find((c) => c.id === id)!;

test('teacher #8: the chat check says which directions it showed and which not, why, as a partial pass', async () => {
  const a = await analyse(inputs());
  const chat = check(a, 'chat');
  assert.equal(chat.status, 'pass');
  // First: vm → remote untested (both vm messages went out before remote's first datagram).
  const first = chat.findings[0]!;
  assert.equal(first.code, 'chat-direction-untested');
  assert.equal(first.na, true);
  assert.notEqual(first.note, true, 'an untested part, not a note: it makes the pass partial');
  assert.deepEqual(
    [first.params.from, first.params.to, first.params.reason, first.params.messages, first.params.shown],
    ['vm', 'remote', 'before', 2, 'remote → vm'],
  );
  assert.deepEqual(
    first.evidence.map((r) => `${r.source}:${r.line}`),
    ['stud-chat-vm:6', 'stud-chat-vm:7', 'stud-chat-remote:6'],
  );
  // The direction shown is not reported as untested.
  assert.equal(chat.findings.filter((f) => f.code === 'chat-direction-untested').length, 1);
  // Counted among the passes with untested parts, in the CLI's line too.
  assert.equal(checkCounts([chat]).partial, 1);
  assert.match(
    checkSummary(a.checks, () => '', 'ru'),
    /есть части, не проверенные в этом запуске: чат между сетями,/,
  );
  const ru = render(a, 'ru');
  assert.match(
    ru,
    /\| сообщения чата дошли до участников из других сетей \| ✅ пройдена частично \| не проверено в этом запуске: сообщения vm → remote: оба сообщения stud-chat-vm \(vm\) отправлены раньше, чем stud-chat-remote \(remote\) отправил свою первую дейтаграмму, то есть вошёл в чат: до неё сервер не знал его адреса и переслать их туда не мог\. Показано: remote → vm; ✅ относится только к показанным направлениям\./,
  );
  assert.match(
    render(a, 'en'),
    /not tested in this run: messages vm → remote: both messages of stud-chat-vm \(vm\)/,
  );
});

test('teacher #8: the other reasons a direction went untested read right in both languages', () => {
  const base = {
    from: 'vm',
    to: 'remote',
    senders: 'stud-chat-vm (vm)',
    receivers: 'stud-chat-remote (remote)',
    shown: 'remote → vm',
  };
  const say = (lang: 'en' | 'ru', p: Record<string, string | number>) =>
    OWN_FINDINGS[lang]['chat-direction-untested']({ ...base, ...p });
  assert.match(
    say('ru', { reason: 'none', messages: 0 }),
    /stud-chat-vm \(vm\) не отправил ни одного сообщения/,
  );
  assert.match(
    say('ru', { reason: 'silent', messages: 3 }),
    /stud-chat-remote \(remote\) не отправил ни одной дейтаграммы, поэтому сервер так и не узнал его адрес/,
  );
  assert.match(
    say('ru', { reason: 'before', messages: 1 }),
    /единственное сообщение stud-chat-vm \(vm\) отправлено раньше/,
  );
  assert.match(
    say('ru', { reason: 'before', messages: 5 }),
    /все 5 сообщений stud-chat-vm \(vm\) отправлены раньше/,
  );
  assert.match(
    say('en', { reason: 'before', messages: 5 }),
    /all 5 messages of stud-chat-vm \(vm\) went out before/,
  );
});

test('teacher #10: own chat clients the signal killed silently fail the stop check, like the echo clients', async () => {
  const a = await analyse(inputs());
  const stopped = check(a, 'stopped');
  assert.equal(stopped.status, 'fail');
  const of = (p: string) => stopped.findings.find((f) => f.params.program === p)!;
  for (const p of ['stud-chat-vm', 'stud-chat-remote']) {
    assert.deepEqual([of(p).code, of(p).ok, of(p).params.why], ['own-stop-killed', false, 'other'], p);
  }
  // The same advice as the echo clients (Python's default for SIGTERM, the handler): given with the
  // first program it fits, referred to after (markRepeatedStops: own-teacher-r14.test.ts).
  const ru = render(a, 'ru');
  const line = (p: string) => ru.split('\n').find((l) => l.startsWith(`- ❌ Ваш чат-клиент (${p})`)) ?? '';
  for (const p of ['stud-chat-vm', 'stud-chat-remote'])
    assert.match(
      line(p),
      /Установите обработчик `signal\.signal\(signal\.SIGTERM, handler\)`|Исправление то же, что описано выше\./,
      p,
    );
  // Why a chat program fails a check the assignment does not name for it: said for the first one.
  assert.match(
    line('stud-chat-vm'),
    /для программ чата оно их не называет, но проверка судит все программы одинаково/,
  );
});

test('teacher #5: a last stderr line equal to the shell message for the signal is the shell’s; another stays the program’s', async () => {
  const a = await analyse(inputs());
  const vm = check(a, 'stopped').findings.find((f) => f.params.program === 'stud-chat-vm')!;
  assert.equal(vm.params.shell, 'Terminated');
  assert.deepEqual(
    vm.evidence.map((r) => [r.event, r.fields.stream ?? '']),
    [
      ['own.output', 'stdout'],
      ['own.program.exited', ''],
    ],
  );
  // The same line under SIGKILL (status 137) is not that signal's shell message ("Killed"): it stays.
  const killed = await analyse(
    inputs((f, lines) =>
      f === 'stud-chat-vm.jsonl'
        ? lines.map((l) => (l.includes('"own.program.exited"') ? l.replace('"code":143', '"code":137') : l))
        : lines,
    ),
  );
  const vm9 = check(killed, 'stopped').findings.find((f) => f.params.program === 'stud-chat-vm')!;
  assert.deepEqual([vm9.params.signal, vm9.params.shell], ['SIGKILL', '-']);
  assert.ok(vm9.evidence.some((r) => r.fields.text === 'Terminated'));
  const vmLine = render(killed, 'ru')
    .split('\n')
    .find((l) => l.startsWith('- ❌ Ваш чат-клиент (stud-chat-vm)'));
  assert.match(vmLine ?? '', /сигналом SIGKILL/);
  assert.doesNotMatch(vmLine ?? '', /Строку «Terminated»/);
  // And "Killed" after SIGKILL is the shell's.
  const killedLine = await analyse(
    inputs((f, lines) =>
      f === 'stud-chat-vm.jsonl'
        ? lines.map((l) =>
            l.includes('"own.program.exited"')
              ? l.replace('"code":143', '"code":137')
              : l.replace('"text":"Terminated"', '"text":"Killed"'),
          )
        : lines,
    ),
  );
  const k = check(killedLine, 'stopped').findings.find((f) => f.params.program === 'stud-chat-vm')!;
  assert.equal(k.params.shell, 'Killed');
  assert.match(render(killedLine, 'en'), /The «Killed» line after it on `stderr` is not the program's/);
});

test('teacher #17, #18, #20: no «лаборатория» for the software and no calques in the own checks’ Russian', async () => {
  const ru = render(await analyse(inputs()), 'ru');
  const checks = ru.slice(ru.indexOf('#### '), ru.length);
  for (const bad of [
    /остановлен лабораторией/,
    /от лаборатории/,
    /дошла до лаборатории/,
    /запуск лаборатории/,
    /переживает сброс/,
    /\(чтений: \d+/,
    /принимает отдельный поток/,
  ])
    assert.doesNotMatch(checks, bad);
  assert.match(
    ru,
    /каждое чтение запрашивало у ядра не больше 1024 байт \(7 вызовов чтения, самый большой запрос — 1024 байта\)/,
  );
  assert.match(ru, /ваш сервер прочитал 88 \(за 2 вызова чтения;/);
  assert.match(ru, /\(приём идёт в отдельном потоке\)/);
  assert.match(ru, /продолжает работу после сброса соединения клиентом \(RST\)/);
});

test('teacher #8, the lab’s own chat clients: both directions shown pass plainly; a direction without messages is untested', async () => {
  const labDir = new URL('../docs/examples/logs/', import.meta.url);
  const lab = (edit: (file: string, lines: string[]) => string[]) =>
    analyse(
      readdirSync(labDir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => ({
          name: f.replace(/\.jsonl$/, ''),
          lines: edit(f, readFileSync(new URL(f, labDir), 'utf8').split('\n').filter(Boolean)),
        })),
    );
  const both = check(await lab((_f, l) => l), 'chat');
  assert.equal(both.status, 'pass');
  assert.equal(checkCounts([both]).partial, 0, 'vm → remote and remote → vm both shown');
  assert.ok(!both.findings.some((f) => f.code === 'chat-direction-untested'));
  // The vm client's messages removed: vm → remote was not tested; remote → vm still passes.
  const one = check(
    await lab((f, l) =>
      f === 'c20-chat-vm.jsonl' ? l.filter((x) => !x.includes('"chat.message.sent"')) : l,
    ),
    'chat',
  );
  assert.equal(one.status, 'pass');
  assert.equal(checkCounts([one]).partial, 1);
  const first = one.findings[0]!;
  assert.deepEqual(
    [first.code, first.params.from, first.params.to, first.params.reason, first.params.join],
    ['chat-direction-untested', 'vm', 'remote', 'none', 'joined'],
  );
  assert.equal(
    OWN_FINDINGS.ru['chat-direction-untested'](first.params),
    'не проверено в этом запуске: сообщения vm → remote: vm-user (c20-chat-vm, vm) не отправил ни одного сообщения. Показано: remote → vm; ✅ относится только к показанным направлениям. Как проверить: введите строку в клиент vm, когда клиент remote уже в чате',
  );
});
