/**
 * The teacher's review of the generated reports (checks and the wire section), over the real
 * recorded runs: the student's own programs (test/fixtures/own/student-run) and the lab's programs
 * (docs/examples/logs), each with both captures.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Analysis, analyse, findCaptures, render, summary } from '../src/report/index.ts';
import { analyseDir } from './report-fixtures.ts';

const OWN = fileURLToPath(new URL('./fixtures/own/student-run/logs/', import.meta.url));
const LAB = fileURLToPath(new URL('../docs/examples/logs/', import.meta.url));

const cache = new Map<string, Promise<Analysis>>();
/** A directory's logs and captures, analysed as the CLI does (the latest run), once. */
function runOf(dir: string): Promise<Analysis> {
  const a = cache.get(dir) ?? analyseDir(dir, { captures: true });
  cache.set(dir, a);
  return a;
}

test('the wire check, shown as a check, is counted in every total', async () => {
  for (const dir of [OWN, LAB]) {
    const a = await runOf(dir);
    assert.ok(a.wire, 'the run has captures');
    const shown = a.checks.length + 1;
    const pass =
      a.checks.filter((c) => c.status === 'pass').length + (a.wire.check.status === 'pass' ? 1 : 0);
    const na = a.checks.filter((c) => c.status === 'n/a').length + (a.wire.check.status === 'n/a' ? 1 : 0);
    const ru = render(a, 'ru');
    assert.match(ru, new RegExp(`Проверки: пройдено ${pass} из ${shown}[,.]`));
    const fail =
      a.checks.filter((c) => c.status === 'fail').length + (a.wire.check.status === 'fail' ? 1 : 0);
    assert.match(
      ru,
      new RegExp(`\\*\\*Проверки: пройдено ${pass}, не пройдено ${fail}, неприменимо ${na}\\*\\*`),
    );
    assert.match(ru, /\| Проверка: байты в сети равны счётчикам журнала сокетов \| /);
    const en = render(a, 'en');
    assert.match(en, new RegExp(`Checks: ${pass} of ${shown} passed`));
    assert.match(summary(a, 'en'), new RegExp(`^checks: ${pass} of ${shown} pass`));
    assert.match(summary(a, 'ru'), new RegExp(`^проверки: пройдено ${pass} из ${shown}`));
  }
});

test('the UDP paragraph names the lab chat’s join exchange only when a program logged it', async () => {
  const own = await runOf(OWN);
  const lab = await runOf(LAB);
  for (const lang of ['en', 'ru'] as const) {
    const ownText = render(own, lang);
    const labText = render(lab, lang);
    // The student's chat sent plain text: no handshake named anywhere in the wire section.
    assert.doesNotMatch(ownText, /HELLO, COOKIE, JOIN, WELCOME/);
    assert.match(
      ownText,
      lang === 'en'
        ? /The plain text protocol your programs speak has no join exchange: a client becomes a member when its first datagram reaches the server/
        : /В простом текстовом протоколе, которым говорят ваши программы, обмена при входе нет: участником клиент становится, когда его первая дейтаграмма доходит до сервера/,
    );
    // Not the lab's programs' word for a run where none of them ran the chat.
    assert.doesNotMatch(ownText, /no program of the lab logged|ни одна программа стенда/);
    // The lab's chat logged its exchange: the four messages, in the UDP paragraph (said once).
    assert.match(labText, /HELLO, COOKIE, JOIN, WELCOME/);
    assert.doesNotMatch(
      labText,
      lang === 'en' ? /protocol your programs speak has no join exchange/ : /обмена при входе нет/,
    );
  }
});

test('a client FIN the server-side capture holds no answer to: the capture ended first, and the log shows the close', async () => {
  const lab = await runOf(LAB);
  const ru = render(lab, 'ru');
  const en = render(lab, 'en');
  // The local (#88) and remote (#90) connections: the server's FIN came after the capture stopped.
  const notes = ru.match(/После FIN клиента в захвате нет ничего из этого соединения[^\n]*/g) ?? [];
  assert.equal(notes.length, 2, 'one note per connection without the server’s answer');
  for (const n of notes) {
    assert.match(n, /Последний пакет захвата записан через 0,\d{3} мс после этого FIN/);
    assert.match(n, /Compose останавливает его после ждущих его клиентов и раньше сервера/);
    assert.match(n, /Журнал сервера записал, что сервер закрыл это соединение/);
  }
  assert.equal((en.match(/The capture's last packet was captured/g) ?? []).length, 2);
  // The vm connection's FINs are both in the capture: no such note for it; nor for the student's run.
  assert.doesNotMatch(render(await runOf(OWN), 'ru'), /После FIN клиента в захвате нет ничего/);
});

test('a part another client of the same check tested is not listed as untested in this run', async () => {
  const own = await runOf(OWN);
  const byId = (id: string) => own.checks.find((c) => c.id === id);
  const client = byId('own-echo-client');
  const chat = byId('own-chat-client');
  assert.ok(client && chat);
  const head = (c: NonNullable<typeof client>) =>
    c.findings.find((f) => f.code === 'own-untested')?.params ?? {};
  // exit was tested for vm (passed): untested in this run is only the refused connection.
  assert.equal(head(client).parts, 'refused');
  assert.equal(head(client).some, 'exit');
  // typing was tested for vm: not "untested in this run"; exit and the unreachable server are.
  assert.doesNotMatch(String(head(chat).parts), /na-incoming/);
  assert.match(String(head(chat).some), /^na-incoming/);
  const ru = render(own, 'ru');
  assert.match(ru, /не проверено в этом запуске: отказ в соединении\. /);
  assert.match(
    ru,
    /Проверено не у всех клиентов: `exit` завершает клиент \(строки ➖ ниже называют клиентов/,
  );
  assert.match(ru, /не проверено в этом запуске: `exit` завершает клиент, недоступный сервер\. /);
  assert.match(render(own, 'en'), /Tested for some clients only: messages shown before Enter/);
});

test('an own echo client killed by SIGTERM with its connection open fails the stop check (main task 4); killed chat clients fail too, saying why', async () => {
  const own = await runOf(OWN);
  const stopped = own.checks.find((c) => c.id === 'stopped');
  assert.ok(stopped);
  assert.equal(stopped.status, 'fail');
  const byProgram = (p: string) => stopped.findings.find((f) => f.params.program === p);
  for (const p of ['stud-echo-local', 'stud-echo-remote']) {
    const f = byProgram(p);
    assert.deepEqual([f?.code, f?.ok, f?.params.code], ['own-stop-killed', false, 143], p);
    assert.equal(f?.params.why, 'client-open', p);
  }
  // vm typed exit and ended by itself; the chat clients were killed silently: they fail like the
  // echo clients (teacher's reading #10), with the reason the assignment does not name for them.
  assert.deepEqual(
    [byProgram('stud-echo-vm')?.code, byProgram('stud-echo-vm')?.ok],
    ['own-stop-exited', true],
  );
  for (const p of ['stud-chat-vm', 'stud-chat-remote'])
    assert.deepEqual(
      [byProgram(p)?.code, byProgram(p)?.ok, byProgram(p)?.params.why, byProgram(p)?.params.shell],
      ['own-stop-killed', false, 'other', 'Terminated'],
      p,
    );
  // The remote chat client printed nothing but the shell's "Terminated": no output is its evidence.
  assert.deepEqual(
    byProgram('stud-chat-remote')?.evidence.map((r) => r.event),
    ['own.program.exited'],
  );
  const ru = render(own, 'ru');
  assert.match(
    ru,
    /Задание требует, чтобы клиент выводил сообщение при отключении от сервера \(пункт 4 основного задания\)/,
  );
  assert.match(ru, /❌ Ваш чат-клиент \(stud-chat-remote\) (?:тоже )?остановлен сигналом SIGTERM/);
  assert.doesNotMatch(ru, /✅ Ваш чат-клиент \(stud-chat-(vm|remote)\)/);
  assert.match(
    ru,
    /Строку «Terminated» (?:после неё )?в потоке ошибок \(`stderr`\) напечатала не программа, а запустившая её оболочка/,
  );
  assert.doesNotMatch(ru, /лабораторией|от лаборатории/);
  assert.match(
    ru,
    /для программ чата оно их не называет, но проверка судит все программы одинаково: эту программу завершил сигнал/,
  );
  assert.match(
    render(own, 'en'),
    /The assignment asks the client to print a message when it disconnects from the server/,
  );
  // The lab's own clients log client.disconnected: the lab run still passes.
  assert.equal((await runOf(LAB)).checks.find((c) => c.id === 'stopped')?.status, 'pass');
});

test('chat datagrams sent before anyone else joined: a note in the chat check, the relay finding counts them, the client says who wrote before', async () => {
  const own = await runOf(OWN);
  const chat = own.checks.find((c) => c.id === 'chat');
  assert.ok(chat);
  // vm's two datagrams (24 and 31 bytes) went out before remote's first: notes, not deliveries.
  const notes = chat.findings.filter((f) => f.code === 'chat-nobody-yet');
  assert.deepEqual(
    notes.map((f) => [f.params.from, f.params.bytes, f.ok, f.na]),
    [
      ['stud-chat-vm (vm)', 24, true, true],
      ['stud-chat-vm (vm)', 31, true, true],
    ],
  );
  const ru = render(own, 'ru');
  const en = render(own, 'en');
  assert.match(
    ru,
    /сервер ещё не знал, кому его переслать\. Замечание: эту дейтаграмму не получил ни один клиент из другой сети/,
  );
  // The relay finding: 3 of the 5 datagrams, and why the other 2 went nowhere.
  assert.match(
    ru,
    /для 3 из 5 дейтаграмм, полученных от участников .*; остальные 2 дейтаграммы пришли раньше первой дейтаграммы любого другого участника/,
  );
  assert.match(
    en,
    /for 3 of the 5 datagrams it received from members .*; the other 2 datagrams came before any other member's first datagram/,
  );
  // remote got nothing: nobody wrote after it joined; vm wrote before.
  assert.match(
    ru,
    /remote: пока клиент работал, сервер ему ничего не присылал: после его входа в чат \(его первой дейтаграммы\) другие участники не писали; писали только раньше, когда сервер ещё не знал этого клиента: vm/,
  );
  assert.doesNotMatch(ru, /remote: [^\n]*другие участники ему не писали/);
});

test('the wire check compares a student’s traced server’s reads and writes per accepted connection with the capture', async () => {
  const own = await runOf(OWN);
  assert.equal(own.wire?.check.status, 'pass');
  assert.deepEqual(
    own.wire.check.findings.map((f) => f.en.replace(/:.*/, '')),
    ['127.0.0.1', '127.0.0.1', '198.18.71.4', '198.18.71.4', '198.18.71.2', '198.18.71.2'],
  );
  assert.match(
    render(own, 'ru'),
    /198\.18\.71\.4:60328 сервер → клиент: по трассировке вашего сервера \(чтения и записи\) 88 байт, в захвате 88 байт/,
  );
  // One write the trace says returned 60 instead of 61: the counts differ, the check fails.
  const captures = await findCaptures([OWN]);
  const edited = await analyse(
    readdirSync(OWN)
      .filter((n) => n.endsWith('.jsonl'))
      .map((n) => ({
        name: n.replace(/\.jsonl$/, ''),
        lines: (async function* () {
          yield readFileSync(join(OWN, n), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) =>
              n.startsWith('stud-own-echo-server')
                ? l.replace('"call":"sendto","result":61', '"call":"sendto","result":60')
                : l,
            );
        })(),
      })),
    { ...(captures ? { captures } : {}) },
  );
  assert.equal(edited.wire?.check.status, 'fail');
  assert.ok(
    edited.wire.check.findings.some(
      (f) =>
        !f.ok &&
        /198\.18\.71\.4:60328 server → client: your server's traced reads and writes 87 bytes, on the wire 88/.test(
          f.en,
        ),
    ),
  );
});
