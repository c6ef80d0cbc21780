/**
 * The appendix's timelines as the teacher reads them, from the run the examples are built from
 * (docs/examples/logs) and a student's own programs (test/fixtures/own/student-run): no effect
 * before its cause (a chat message, its relay, each copy; a connect() and the server's accept()),
 * the note on why a cause can carry a later stamp, the chat table in time order, and evidence and
 * check summaries a reader can read (decoded strace data, a noun after «и ещё N»).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { numField as num, strField as str } from '../src/report/aggregate.js';
import { type Analysis, analyse, lazyLines, render } from '../src/report/index.js';
import { unfinishedLine } from '../src/report/own-implementation.js';
import type { LogRecord } from '../src/report/parse.js';

async function fixture(dir: string): Promise<Analysis> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  return analyse(files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })));
}

const LAB = 'docs/examples/logs';
const OWN = 'test/fixtures/own/student-run/logs';

test('the lab run: each chat message before its relay, and the relay before each copy received', async () => {
  const a = await fixture(LAB);
  const pos = (r: unknown) => a.model.order.get(r as never) ?? -1;
  let pairs = 0;
  for (const c of a.model.chat) {
    const relays = (c.member?.records ?? []).filter((r) => r.event === 'udp.message.relayed');
    let i = 0;
    for (const sent of c.records.filter((r) => r.event === 'chat.message.sent')) {
      const j = relays.findIndex((r, k) => k >= i && num(r, 'bytes') === num(sent, 'bytes'));
      if (j < 0) continue;
      const relay = relays[j]!;
      i = j + 1;
      assert.ok(pos(sent) < pos(relay), `${c.nick}: sent ${num(sent, 'bytes')} B after its relay`);
      for (const o of a.model.chat.filter((x) => x !== c)) {
        // The copy of this message: same sender and size, the one stamped nearest the relay (the
        // three 38-byte messages are 100 ms apart; the clocks differ by about 1 ms).
        const copies = o.records.filter(
          (r) =>
            r.event === 'chat.message.received' &&
            str(r, 'nick') === c.nick &&
            num(r, 'bytes') === num(sent, 'bytes'),
        );
        const got = copies.sort((x, y) => Math.abs(x.time - relay.time) - Math.abs(y.time - relay.time))[0];
        if (!got) continue;
        assert.ok(
          pos(relay) < pos(got),
          `${o.nick}: copy of ${c.nick}'s ${num(sent, 'bytes')} B before the relay`,
        );
        pairs++;
      }
    }
  }
  // The run the teacher read has six messages across two networks, each with one copy.
  assert.equal(pairs, 6);
  // And its stamps do go backwards (the reason for the note): remote-user's first message is
  // stamped 1 ms after the server's relay of it.
  const remote = a.model.chat.find((c) => c.nick === 'remote-user');
  const sent = remote?.records.find((r) => r.event === 'chat.message.sent');
  const relay = remote?.member?.records.find((r) => r.event === 'udp.message.relayed');
  assert.ok(sent && relay && sent.time > relay.time, 'the fixture still shows a later-stamped cause');
});

test('the timelines say once why a cause can be stamped later than its effect', async () => {
  for (const dir of [LAB, OWN]) {
    const a = await fixture(dir);
    const ru = render(a, 'ru');
    const en = render(a, 'en');
    assert.equal(ru.split('Строки идут в причинном порядке').length - 1, 1, dir);
    assert.equal(en.split('The rows are in causal order').length - 1, 1, dir);
    assert.match(ru, /у вызова вашей программы из трассировки — момент, когда strace увидел возврат вызова/);
    // The note comes before the first timeline table, after its heading.
    const note = ru.indexOf('Строки идут в причинном порядке');
    assert.ok(ru.indexOf('#### Хронология') < note && note < ru.indexOf('| время (UTC) | источник |'), dir);
  }
});

test('own programs: the server’s accept() after the client’s connect(), though strace stamped it earlier', async () => {
  const a = await fixture(OWN);
  const pos = (r: unknown) => a.model.order.get(r as never) ?? -1;
  let checked = 0;
  for (const [s, calls] of a.model.ownServer) {
    const connect = s.records.find((r) => str(r, 'call') === 'connect');
    const accept = calls[0];
    if (!connect || !accept) continue;
    assert.ok(pos(connect) < pos(accept), s.program.label);
    checked++;
  }
  assert.ok(checked >= 3, `connections checked: ${checked}`);
});

test('the chat table of the lab run is in time order', async () => {
  const md = render(await fixture(LAB), 'ru');
  const at = md.indexOf('| время (UTC) | от кого | текст |');
  assert.ok(at > 0);
  const rows = md.slice(at).split('\n').slice(2);
  const times = rows
    .slice(
      0,
      rows.findIndex((l) => !l.startsWith('|')),
    )
    .map((l) => l.split('|')[1]!.trim());
  assert.equal(times.length, 6);
  assert.deepEqual(times, [...times].sort());
});

test('own programs: evidence shows decoded data, and «и ещё N» names what there is more of', async () => {
  const a = await fixture(OWN);
  const ru = render(a, 'ru');
  const en = render(a, 'en');
  for (const md of [ru, en]) assert.doesNotMatch(md, /data=[^`]*\\[0-3][0-7][0-7]/);
  assert.match(ru, /data="Hello from the local scenario\\n"/);
  assert.doesNotMatch(ru, /\(и ещё \d+\)/);
  assert.match(ru, /\(и ещё 7 пунктов\)/);
  assert.doesNotMatch(en, /\(and \d+ more\)/);
  assert.match(en, /\(and 7 more items\)/);
});

test('a prompt printed without a newline is marked where the output shows it', async () => {
  const a = await fixture(OWN);
  for (const [lang, mark] of [
    ['ru', 'незаконченная строка'],
    ['en', 'unfinished line'],
  ] as const) {
    const md = render(a, lang);
    // The student run's local and remote echo clients were stopped at their `> ` prompt: marked
    // in each program's output (Implementation) and in its terminal.
    const marked = md.split('\n').filter((l) => l.includes(mark));
    assert.equal(marked.length, 4, lang);
    for (const l of marked) assert.ok(l.startsWith('>  '), l);
  }
});

test('unfinishedLine: the runner’s mark, else the last line of its stream ending in a space', () => {
  const rec = (stream: string, text: string, extra: Record<string, unknown> = {}) =>
    ({ event: 'own.output', fields: { stream, text, ...extra } }) as unknown as LogRecord;
  const prompt = rec('stdout', '> ');
  const old = [rec('stdout', 'up'), rec('stderr', 'Terminated'), prompt];
  assert.equal(unfinishedLine(old, prompt), true);
  assert.equal(unfinishedLine(old, old[0]!), false);
  // A last line print() ended: no trailing space, not marked.
  const done = rec('stdout', '> Отключено от сервера');
  assert.equal(unfinishedLine([rec('stdout', 'up'), done], done), false);
  // Logs that carry the runner's mark are read by it only.
  const marked = rec('stdout', 'ready? ', { cut: false });
  const withMark = [rec('stdout', 'x', { unfinished: true }), marked];
  assert.equal(unfinishedLine(withMark, marked), false);
  assert.equal(unfinishedLine(withMark, withMark[0]!), true);
});

/** The «What each terminal showed» section of a report. */
function terminals(md: string, lang: 'ru' | 'en'): string {
  const start = md.indexOf(lang === 'ru' ? '### Что показал терминал' : '### What each terminal showed');
  assert.ok(start >= 0);
  return md.slice(start, md.indexOf('\n## ', start));
}

test('terminals with own programs: their printed lines, not the replaced lab server’s', async () => {
  const a = await fixture(OWN);
  for (const lang of ['ru', 'en'] as const) {
    const part = terminals(render(a, lang), lang);
    // The lab server opened no socket (both parts replaced): none of its lines describe this run.
    assert.doesNotMatch(part, /server\.starting|64 КиБ|64 KiB|получат FIN|will get a FIN/);
    assert.match(part, /server\.replaced/);
    // Each own program's console, servers first: the student's echo server's own words.
    assert.match(part, /\[04:23:19\] Клиент 198\.18\.71\.4:60328 отключился/);
    assert.ok(part.indexOf('stud-own-echo-server') < part.indexOf('stud-echo-local'));
    assert.match(part, /> Отключено от сервера/);
    // The shell's report of the signal, not the program's stderr (the runner's /bin/sh printed it).
    assert.doesNotMatch(part, /\[stderr\] Terminated/);
    assert.match(
      part,
      lang === 'ru'
        ? /\[оболочка \/bin\/sh, запустившая программу\] Terminated/
        : /\[\/bin\/sh, which ran the program\] Terminated/,
    );
  }
});

test('terminals of the lab run: the server console keeps its stop, each echo client its disconnect', async () => {
  const a = await fixture(LAB);
  for (const lang of ['ru', 'en'] as const) {
    const part = terminals(render(a, lang), lang);
    assert.match(part, /server\.stopping: /);
    assert.match(part, /server\.stopped: /);
    assert.match(
      part,
      lang === 'ru' ? /… и ещё \d+ строк[иа]?: все они есть в приложении/ : /… \d+ more lines?: /,
    );
    assert.equal(
      part.split('client.disconnected: ').length - 1,
      a.model.echo.filter((s) => s.disconnected).length,
    );
    assert.ok(a.model.echo.filter((s) => s.disconnected).length >= 3);
  }
});

test('own programs: the setup’s address plan and each scenario’s hosts table from the traces', async () => {
  const a = await fixture(OWN);
  const ru = render(a, 'ru');
  // The server's address: its accept() of a connection from the vm network, not "-".
  assert.match(
    ru,
    /\| `stud-server` \| сервер \| `stud-server` \| `198\.18\.71\.10` \(`stud-own-echo-server:\d+`\) \|/,
  );
  assert.match(ru, /\| `stud-chat-vm` \| vm \| `stud-chat-vm` \| `198\.18\.71\.3` /);
  // Scenario vm: the echo client and the chat client, each as the student's server saw it.
  const appendix = ru.slice(ru.indexOf('## Приложение'));
  const vm = appendix.slice(appendix.indexOf('### Сценарий `vm`'), appendix.indexOf('### Сценарий `remote`'));
  assert.match(
    vm,
    /\| stud-echo-vm pid \d+ \| `stud-echo-vm` \| `198\.18\.71\.4:60328` \| `198\.18\.71\.10:7007` \| `198\.18\.71\.4:60328` \|/,
  );
  assert.match(
    vm,
    /\| stud-chat-vm \| `stud-chat-vm` \| `198\.18\.71\.3:44870` \| `198\.18\.71\.10:7008` \|/,
  );
  // Remote: through the router, the server saw the router's address.
  const remote = appendix.slice(appendix.indexOf('### Сценарий `remote`'));
  assert.match(
    remote,
    /\| stud-echo-remote pid \d+ \| `stud-remote` \| `198\.18\.81\.2:58952` \| `198\.18\.81\.254:7007` \| `198\.18\.71\.2:58952` \| по времени и байтам/,
  );
  // The appendix promises no byte counts or diagrams it does not have (none in this run).
  assert.doesNotMatch(ru, /Счётчики байтов и диаграммы последовательности в приложении/);
  assert.doesNotMatch(ru, /адреса каждого сценария, счётчики байтов, диаграмма последовательности/);
  const lab = render(await fixture(LAB), 'ru');
  assert.match(lab, /адреса каждого сценария, счётчики байтов, диаграмма последовательности/);
});

test('the remote diagram: said once that later packets pass the router; LEFTs in the server’s order', async () => {
  const a = await fixture(LAB);
  for (const [lang, note] of [
    ['ru', 'все следующие пакеты удалённых клиентов тоже идут через него'],
    ['en', 'every later packet of a remote client passes it too, both ways'],
  ] as const) {
    const md = render(a, lang);
    const appendix = md.slice(md.indexOf(lang === 'ru' ? '## Приложение' : '## Appendix'));
    const heading = lang === 'ru' ? '### Сценарий `remote`' : '### Scenario `remote`';
    const remote = appendix.slice(appendix.indexOf(heading));
    const diagram = remote.slice(
      remote.indexOf('sequenceDiagram'),
      remote.indexOf('```', remote.indexOf('sequenceDiagram')),
    );
    assert.equal(diagram.split(note).length - 1, 1, lang);
    // Right after the first packet drawn through the router.
    const lines = diagram.split('\n').map((l) => l.trim());
    const at = lines.findIndex((l) => l.includes(note));
    assert.match(lines[at - 1] ?? '', /^R->>S: MASQUERADE/);
    // The server handled vm-user's LEAVE (57.257) before remote-user's (57.258): its LEFT to
    // remote-user is drawn before remote-user's LEAVE.
    const left = lines.findIndex((l) => /^S-->>M\d: LEFT vm-user$/.test(l));
    const leave = lines.findIndex((l) => /^M\d->>S: LEAVE$/.test(l));
    assert.ok(left >= 0 && leave >= 0 && left < leave, `${lang}: LEFT at ${left}, LEAVE at ${leave}`);
  }
});
