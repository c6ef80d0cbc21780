/**
 * The strict teacher's reading of the own-programs report (session 2026-12-02), the wire section
 * and the appendix: a client killed without close() is not said to have closed its connection;
 * "portion" means the server's own reads when the student's server ran; the plain chat's join is
 * said as this run's programs did it; the general explanations are given once; the terms are one
 * each. Over the real recorded runs: the student's (test/fixtures/own/student-run) and the lab's
 * (docs/examples/logs), both with their captures.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Analysis, render } from '../src/report/index.ts';
import { closedAtExitOf } from '../src/report/wire-section.ts';
import { analyseDir } from './report-fixtures.ts';

const OWN = fileURLToPath(new URL('./fixtures/own/student-run/logs/', import.meta.url));
const LAB = fileURLToPath(new URL('../docs/examples/logs/', import.meta.url));

/** A directory's logs (each line through `edit`) and captures, analysed as the CLI does. */
const runOf = (dir: string, edit?: (name: string, line: string) => string) =>
  analyseDir(dir, { captures: true, ...(edit ? { edit } : {}) });

/** The wire section's part about one TCP connection: from its title to the next bold title. */
function connection(md: string, client: string, from = 0): string {
  const start = md.indexOf(`\`${client}\` →`, from);
  assert.ok(start >= 0, `the report explains the connection of ${client}`);
  const end = md.indexOf('\n**', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

const wireOf = (md: string, lang: 'en' | 'ru') =>
  md.slice(md.indexOf(lang === 'en' ? '## On the wire' : '## В сети'));

let own: Promise<Analysis> | undefined;
let lab: Promise<Analysis> | undefined;
const ownRun = () => (own ??= runOf(OWN));
const labRun = () => (lab ??= runOf(LAB));

test('a client killed without close(): the kernel sent its FIN at exit, not a close of its own (#6)', async () => {
  const a = await ownRun();
  const ru = wireOf(render(a, 'ru'), 'ru');
  const en = wireOf(render(a, 'en'), 'en');
  // local and remote: SIGTERM, no close() or shutdown() in their traces; on both captures (remote).
  for (const client of ['127.0.0.1:45890', '198.18.71.2:58952', '198.18.81.2:58952']) {
    const r = connection(ru, client);
    assert.match(
      r,
      /Первым FIN отправил клиент, но не вызовом своей программы: в её трассировке нет ни close\(\), ни shutdown\(\) этого сокета\. Программу завершил сигнал, и FIN отправило ядро/,
    );
    assert.doesNotMatch(r, /закрыто штатно|активное закрытие/);
    const e = connection(en, client);
    assert.match(
      e,
      /The client sent FIN first, but not by a call of its program: its trace has neither close\(\) nor shutdown\(\) of this socket\. A signal ended the program, and the kernel sent the FIN/,
    );
    assert.doesNotMatch(e, /closed in order|active close/);
  }
  // vm: its client typed exit and called close() (stud-echo-vm:18): its own active close.
  assert.match(connection(ru, '198.18.71.4:60328'), /Первым FIN отправил клиент \(активное закрытие\)/);
  assert.match(connection(en, '198.18.71.4:60328'), /The client sent FIN first \(active close\)/);
  // The lab's own clients: no trace, today's words.
  const labRu = wireOf(render(await labRun(), 'ru'), 'ru');
  assert.doesNotMatch(labRu, /не вызовом своей программы/);
  assert.match(labRu, /Первым FIN отправил клиент \(активное закрытие\)/);
});

test('closedAtExitOf: only a traced client that never closed the socket and then ended; a signal said only when one ended it', async () => {
  const a = await ownRun();
  const conns = [{ client: '127.0.0.1:45890' }, { client: '198.18.71.4:60328' }];
  assert.deepEqual([...closedAtExitOf(a.model, 'local', conns)], [['127.0.0.1:45890', { signal: true }]]);
  // The vm client closed its socket: nothing to say; another scenario's client is not matched.
  assert.equal(closedAtExitOf(a.model, 'vm', conns).size, 0);
  // The same client ending by itself (exit code 0) without a close(): the kernel still closed it.
  const exited = await runOf(OWN, (n, l) =>
    n === 'stud-echo-local.jsonl' && l.includes('"own.program.exited"')
      ? l.replace('"reason":"stopped"', '"reason":"exited"').replace('"code":143', '"code":0')
      : l,
  );
  assert.deepEqual(
    [...closedAtExitOf(exited.model, 'local', conns)],
    [['127.0.0.1:45890', { signal: false }]],
  );
  const ru = connection(wireOf(render(exited, 'ru'), 'ru'), '127.0.0.1:45890');
  assert.match(ru, /Программа завершилась, не закрыв сокет, и FIN отправило ядро/);
  // No exit line (the program still ran when the logs end): nothing claimed.
  const running = await runOf(OWN, (n, l) =>
    n === 'stud-echo-local.jsonl' && l.includes('"own.program.exited"') ? '' : l,
  );
  assert.equal(closedAtExitOf(running.model, 'local', conns).size, 0);
});

test('a portion is the student server’s own read when it ran, a slice of at most 1 KB of a read with ours (#4)', async () => {
  const ownRu = wireOf(render(await ownRun(), 'ru'), 'ru');
  const ownEn = wireOf(render(await ownRun(), 'en'), 'en');
  assert.doesNotMatch(ownRu, /кусок не больше 1 КБ/);
  assert.doesNotMatch(ownEn, /slice of at most 1 KB/);
  assert.match(
    ownRu,
    /какими порциями читал ваш сервер: его порция — это то, что вернул один его вызов чтения/,
  );
  assert.match(
    ownEn,
    /not on the portions your server read: each of its portions is what one of its read calls/,
  );
  const labRu = wireOf(render(await labRun(), 'ru'), 'ru');
  assert.match(labRu, /порция — это кусок не больше 1 КБ из того, что вернул один вызов read\(\)/);
  assert.doesNotMatch(labRu, /читал ваш сервер/);
});

test('the general explanations of the wire section are given once and referred to after (#25)', async () => {
  for (const a of [await ownRun(), await labRun()]) {
    const ru = wireOf(render(a, 'ru'), 'ru');
    const en = wireOf(render(a, 'en'), 'en');
    const times = (s: string, what: string) => s.split(what).length - 1;
    assert.equal(times(ru, 'MSS (максимальный размер сегмента), который каждая сторона объявляет'), 1);
    assert.equal(times(en, 'The MSS (maximum segment size) each side announces'), 1);
    assert.equal(times(ru, 'То, как TCP режет поток байтов на сегменты'), 1);
    assert.equal(times(en, 'How TCP cuts the byte stream into segments depends'), 1);
    assert.equal(times(ru, 'У самого UDP нет соединения'), 1);
    assert.equal(times(en, 'UDP itself has no connection'), 1);
    assert.equal(times(ru, 'Захват считает сегменты ядра'), 1);
    assert.equal(times(en, "The capture counts the kernel's segments"), 1);
    // Each later connection still gives its own numbers and points back.
    assert.match(ru, /MSS здесь: клиент 1460, сервер 1460 \(что такое MSS — см\. выше, сценарий `local`\)\./);
    assert.match(en, /MSS here: client 1460, server 1460 \(what the MSS is: see above, scenario `local`\)\./);
    assert.match(ru, /Как TCP режет поток на сегменты — см\. выше, сценарий `local`\./);
    assert.match(ru, /Что есть и чего нет у UDP .* — см\. выше, сценарий `vm`\./);
    assert.match(ru, /То же сравнение для соединений этого сценария/);
  }
});

test('one term each: ISN, ACK without data, SNAT, the comparison with the capture (#18, #19)', async () => {
  for (const a of [await ownRun(), await labRun()]) {
    const ru = render(a, 'ru');
    const en = render(a, 'en');
    for (const bad of [
      /против захвата/,
      /чистые ACK/,
      /маскарадинг/,
      /SNAT\/masquerade/,
      /номера\w* последовательности/,
    ])
      assert.doesNotMatch(ru, bad);
    for (const bad of [/against the wire/, /pure ACKs/, /masquerading/, /SNAT\/masquerade/])
      assert.doesNotMatch(en, bad);
    assert.match(ru, /\*\*Байты: журнал сокетов и захват\*\*/);
    assert.match(ru, /ACK без данных/);
    assert.match(ru, /узел на пути к серверу подменил адрес отправителя \(SNAT, в iptables — MASQUERADE\)/);
    assert.match(ru, /DNAT \+ SNAT\)/);
    assert.match(ru, /те же начальные порядковые номера \(ISN: клиент/);
  }
});

test('the plain chat: no join exchange in its protocol, a first datagram makes a member; no lab program cited (#13)', async () => {
  const ru = wireOf(render(await ownRun(), 'ru'), 'ru');
  assert.doesNotMatch(ru, /ни одна программа стенда|не обменивались сообщениями при входе/);
  assert.match(
    ru,
    /участником клиент становится, когда его первая дейтаграмма доходит до сервера \(клиент может начать с сообщения о том, что вошёл в чат/,
  );
});

test('the hosts tables: the server address column, not "where it connected", also for UDP chat rows (#22)', async () => {
  for (const a of [await ownRun(), await labRun()]) {
    const ru = render(a, 'ru');
    const en = render(a, 'en');
    assert.doesNotMatch(ru, /куда подключал/);
    assert.doesNotMatch(en, /\| it dialed \||\| dialed \|/);
    assert.match(ru, /\| программа \| хост \| локальный адрес \| адрес сервера \| что увидел сервер \|/);
    assert.match(ru, /\| клиент \| адрес сервера \| локальный адрес \| что увидел сервер \| почему \|/);
  }
});

test('the appendix says what its timelines and byte counts hold for a run with own programs (#7)', async () => {
  const ru = render(await ownRun(), 'ru');
  const en = render(await ownRun(), 'en');
  assert.doesNotMatch(ru, /полная хронология/);
  assert.doesNotMatch(en, /full timeline/);
  assert.match(
    ru,
    /В хронологии сценария — вызовы с сокетами ваших эхо-программ из их трассировки; вызовов ваших чат-программ в ней нет, они — в разделе «Реализация: ваши программы»/,
  );
  assert.match(
    ru,
    /Байты соединений вашего сервера сравниваются с захватом в разделе «В сети» — по его трассировке/,
  );
  assert.match(en, /your chat programs’ calls are not in it, they are in “Implementation: your programs”/);
  // The chat calls really are absent from the timelines (else the sentence would be false).
  const appendix = ru.slice(ru.indexOf('## Приложение'), ru.indexOf('## В сети'));
  assert.doesNotMatch(appendix, /\| `stud-(own-chat-server|chat-vm|chat-remote)` \| `own\.call` \|/);
  // The lab's own run keeps its sentence.
  assert.match(
    render(await labRun(), 'ru'),
    /адреса каждого сценария, счётчики байтов, диаграмма последовательности/,
  );
});

test('the timeline note blames no clocks for one machine and says what the stamp is (#12)', async () => {
  for (const a of [await ownRun(), await labRun()]) {
    const ru = render(a, 'ru');
    const en = render(a, 'en');
    assert.doesNotMatch(ru, /на разных машинах — ещё и с разными часами/);
    assert.doesNotMatch(en, /on separate machines, with separate clocks too/);
    assert.match(
      ru,
      /в том числе в контейнерах одного хоста, читают одни часы — часы ядра; только у программ на разных машинах и часы разные/,
    );
    assert.match(ru, /у вызова вашей программы из трассировки — момент, когда strace увидел возврат вызова/);
    assert.match(en, /Programs on one machine, in containers of one host too, read one clock, the kernel’s/);
  }
});
