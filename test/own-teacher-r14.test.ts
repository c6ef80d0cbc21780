/**
 * The strict teacher's re-reading of the own-programs report at revision 14 (N2, N3, N10, N12,
 * N13, P1, P3): each fixed text checked on the reviewer's run (test/fixtures/own/student-run), in
 * both languages, and, where a text became conditional, on the lab's own run or on its parts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_PREVIEW,
  STRACE_ARGS,
  STRACE_STRING_BYTES,
  type SocketCall,
  type TraceEvent,
  createTraceReader,
  decodePreview,
  decodePreviewBytes,
} from '../src/own/strace.ts';
import { render } from '../src/report/index.ts';
import { markRepeatedStops } from '../src/report/own-checks.ts';
import { OWN_FINDINGS } from '../src/report/own-texts.ts';
import { analyseDir, part } from './report-fixtures.ts';

const RUN = 'test/fixtures/own/student-run/logs';
const LAB = 'docs/examples/logs';

const cache = new Map<string, ReturnType<typeof load>>();
/** As `socket-lab report DIR` makes it: the reviewer's run with the captures beside its logs. */
async function load(dir: string) {
  const a = await analyseDir(dir, { captures: dir === RUN });
  return { a, ru: render(a, 'ru'), en: render(a, 'en') };
}
function reports(dir: string) {
  let p = cache.get(dir);
  if (!p) {
    p = load(dir);
    cache.set(dir, p);
  }
  return p;
}
const occurrences = (s: string, sub: string) => s.split(sub).length - 1;

/** Bytes as strace prints them without -x: printable ASCII as is, the rest as three-digit octal. */
const octal = (bytes: Uint8Array) =>
  [...bytes]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\${b.toString(8).padStart(3, '0')}`,
    )
    .join('');

test('N2: the runner keeps the whole -s 32 preview of a Cyrillic line (32 bytes, not the 12 of 48 characters)', () => {
  assert.equal(STRACE_ARGS[STRACE_ARGS.indexOf('-s') + 1], String(STRACE_STRING_BYTES));
  // strace's longest escape is 4 characters a byte: the whole preview fits.
  assert.ok(MAX_PREVIEW >= STRACE_STRING_BYTES * 4);
  const line = Buffer.from('Привет из удалённой сети, сервер!\n'); // 61 bytes
  const shown = `"${octal(line.subarray(0, 32))}"...`;
  const r = createTraceReader();
  const ev: TraceEvent[] = [
    ...r.push(
      '7 1796185397.740000 accept4(3<TCP:[198.18.71.10:7007]>, NULL, NULL, SOCK_CLOEXEC) = 4<TCP:[198.18.71.10:7007->198.18.71.4:60328]>',
    ),
    ...r.push(
      `7 1796185397.740754 recvfrom(4<TCP:[198.18.71.10:7007->198.18.71.4:60328]>, ${shown}, 1024, 0, NULL, NULL) = 61`,
    ),
    ...r.end(),
  ];
  const call = ev.find((e): e is SocketCall => e.kind === 'call' && e.call === 'recvfrom');
  assert.ok(call?.data, 'the read has its preview');
  const d = decodePreviewBytes(call.data);
  assert.deepEqual([d.bytes.length, d.truncated], [32, true]);
  assert.deepEqual([...d.bytes], [...line.subarray(0, 32)]);
  // The log line stays bounded: the preview and its «...» mark.
  assert.ok(call.data.length <= MAX_PREVIEW + 3);
});

test('N2: a log written when the preview was cut at 48 characters still decodes: whole bytes only', () => {
  const line = Buffer.from('Привет из удалённой сети\n');
  const full = octal(line);
  // 48 characters: 12 escapes; 47: the 12th cut inside (`\32`), left out rather than guessed.
  assert.deepEqual(decodePreviewBytes(`${full.slice(0, 48)}...`).bytes.length, 12);
  assert.deepEqual(decodePreviewBytes(`${full.slice(0, 47)}...`).bytes.length, 11);
  assert.deepEqual(decodePreview(`${full.slice(0, 47)}...`), { text: 'Приве', truncated: true });
});

test('N2: the content check says for how many calls the log kept fewer than 32 bytes, and how many', async () => {
  const { ru, en } = await reports(RUN);
  // The reviewer's run: the 61-byte Cyrillic line's read and write kept 12 bytes each (the 48-character cut).
  assert.match(
    ru,
    /сравнено 100 байт в 3 соединениях; strace сохраняет не больше первых 32 байт каждого чтения и каждой записи, а для 2 сравненных вызовов журнал сохранил меньше — по 12 байт; байты после сохранённых не сравнивались/,
  );
  assert.match(
    en,
    /100 bytes compared, 3 connections; strace keeps at most the first 32 bytes of each read and write, and the log holds fewer for 2 calls compared: 12 bytes each; the bytes after those were not compared/,
  );
  // Nothing kept short: no such clause; one call, and a range, said in correct Russian.
  const ok = (p: Record<string, number>, lang: 'en' | 'ru') =>
    OWN_FINDINGS[lang]['own-content-ok']({ conns: 1, compared: 6, ...p });
  assert.doesNotMatch(ok({}, 'ru'), /журнал сохранил/);
  assert.doesNotMatch(ok({}, 'en'), /the log holds/);
  assert.match(
    ok({ shortCalls: 1, shortMin: 12, shortMax: 12 }, 'ru'),
    /для 1 сравненного вызова журнал сохранил меньше — 12 байт;/,
  );
  assert.match(
    ok({ shortCalls: 3, shortMin: 10, shortMax: 21 }, 'ru'),
    /для 3 сравненных вызовов журнал сохранил меньше — от 10 до 21 байта;/,
  );
  assert.match(ok({ shortCalls: 2, shortMin: 21, shortMax: 21 }, 'ru'), /по 21 байту;/);
  assert.match(
    ok({ shortCalls: 3, shortMin: 10, shortMax: 21 }, 'en'),
    /fewer for 3 calls compared: 10 to 21 bytes;/,
  );
});

test("N3 (Q3, the teacher's «Q4»): a non-blocking socket AND waiting for writability; a blocking one can still block in a big send", async () => {
  const { ru, en } = await reports(RUN);
  const q4ru = part(ru, '### Вопрос 3.');
  const q4en = part(en, '### Question 3.');
  assert.match(q4ru, /неблокирующий сокет вместе с ожиданием в select\(\) ещё и готовности к записи/);
  assert.match(q4ru, /SO\\_SNDLOWAT байт, и большой send\(\)\/sendall\(\) всё равно может заблокироваться/);
  assert.doesNotMatch(q4ru, /неблокирующий сокет или ожидание/);
  assert.match(q4en, /a non-blocking socket, with select\(\) asked for writability too/);
  assert.match(q4en, /a large send\(\)\/sendall\(\) can still block/);
});

test('P3/N10: how to read the calls-beside-datagrams table is said once; «не те адреса, что в вызове»', async () => {
  const { ru, en } = await reports(RUN);
  assert.equal(occurrences(ru, 'Те же дейтаграммы в захватах: несколько вызовов'), 1);
  assert.equal(occurrences(ru, 'Те же дейтаграммы в захватах (таблица читается так же'), 2);
  assert.equal(occurrences(ru, 'показывает не те адреса, что в вызове'), 1);
  assert.equal(occurrences(ru, 'другие адреса, чем вызов'), 0);
  assert.equal(occurrences(en, 'The same datagrams in the captures: a few of the calls'), 1);
  assert.equal(occurrences(en, 'The same datagrams in the captures (the table reads as'), 2);
  assert.equal(occurrences(en, 'other addresses than the call'), 0);
});

test('P3: the stop check gives the SIGTERM explanation and the fix once; each program keeps what happened to it', async () => {
  const { a } = await reports(RUN);
  const stop = a.checks.find((c) => c.id === 'stopped')!;
  const marked = markRepeatedStops(stop.findings);
  assert.equal(marked.length, stop.findings.length);
  const killed = marked.filter((f) => f.code === 'own-stop-killed');
  assert.equal(killed.length, 4);
  for (const lang of ['ru', 'en'] as const) {
    const texts = killed.map((f) => OWN_FINDINGS[lang]['own-stop-killed'](f.params));
    const all = texts.join('\n');
    const fix = lang === 'ru' ? 'Установите обработчик' : 'Install a handler';
    const compose = 'docker compose stop';
    const chatRule =
      lang === 'ru' ? 'для программ чата оно их не называет' : 'it does not name them for the chat programs';
    assert.equal(occurrences(all, fix), 1, `${lang}: the fix once`);
    assert.equal(occurrences(all, compose), 1, `${lang}: how the runner stops, once`);
    assert.equal(occurrences(all, chatRule), 1, `${lang}: why the chat programs fail too, once`);
    // Every program: its name, the signal, its exit status.
    for (const [i, f] of killed.entries()) {
      assert.ok(texts[i]!.includes(String(f.params.program)));
      assert.match(texts[i]!, /SIGTERM/);
      assert.ok(texts[i]!.includes(String(f.params.code)));
    }
    // The echo client with its connection open is still told what it missed (the second one too).
    const open = killed
      .map((f, i) => [f, texts[i]!] as const)
      .filter(([f]) => f.params.why === 'client-open');
    assert.equal(open.length, 2);
    for (const [, t] of open) assert.match(t, lang === 'ru' ? /отключении от сервера/ : /disconnect/);
  }
  // Unmarked (one program only): the whole text, as before.
  const { again: _again, whyAgain: _whyAgain, ...bare } = killed[1]!.params;
  const one = OWN_FINDINGS.ru['own-stop-killed'](bare);
  assert.doesNotMatch(one, /тоже|выше/);
});

test('N12: «ни одной из 3 дейтаграмм … не вернул её отправителю»', async () => {
  const { ru } = await reports(RUN);
  assert.match(ru, /сервер ни одной из 3 дейтаграмм, которые переслал, не вернул её отправителю/);
  assert.doesNotMatch(ru, /ни одну из|обратно отправителю/);
});

test('N13: no pleonasms: «получил 5 дейтаграмм (каждую вернул…)», «идущие подряд», «возвращает»', async () => {
  for (const dir of [RUN, LAB]) {
    const { ru, en } = await reports(dir);
    assert.doesNotMatch(ru, /до него дошла|один сразу за другим|возвращает обратно/);
    assert.doesNotMatch(en, /delivered to it \(its recvfrom/);
  }
  const { ru, en } = await reports(RUN);
  assert.match(ru, /Ваш чат-сервер получил 5 дейтаграмм \(каждую вернул его recvfrom\(\)\)\./);
  assert.match(en, /Your chat server received 5 datagrams \(its recvfrom\(\) returned each\)\./);
  assert.match(ru, /Одноимённые вызовы на одном сокете, идущие подряд, свёрнуты/);
});

test('P1: the conclusions name the checks that passed with parts not tested', async () => {
  const { ru, en } = await reports(RUN);
  const cr = part(ru, '## Выводы');
  const ce = part(en, '## Conclusions');
  assert.match(
    cr,
    /Проверки: пройдено 10 из 11, из них частично — 5 \(часть не проверялась в этом запуске\): «сообщения чата дошли до участников из других сетей», /,
  );
  assert.match(cr, /»; не пройдена проверка «каждая программа записала в журнал свою остановку»/);
  assert.match(
    ce,
    /Checks: 10 of 11 passed, 5 of them in part \(with parts not tested in this run\): “chat messages reached members on other networks”, /,
  );
  // The lab's own run: every check whole, nothing said of parts.
  const lab = await reports(LAB);
  assert.match(part(lab.ru, '## Выводы'), /Проверки: пройдено (\d+) из \1\. /);
  assert.doesNotMatch(part(lab.ru, '## Выводы'), /частично/);
  assert.doesNotMatch(part(lab.en, '## Conclusions'), /in part/);
});
