/**
 * The strict teacher's re-reading of the student's report at revision 14 (the wire, the appendix,
 * the extra tasks and the report's frame): each finding fixed, over the real recorded runs (the
 * student's own programs, test/fixtures/own/student-run; the lab's, docs/examples/logs) and the
 * texts that serve both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Analysis, lossAnswer, render } from '../src/report/index.ts';
import { blocksToMarkdown } from '../src/report/document/markdown.ts';
import { CHECK_STATUS, REPORT_TEXTS, SCENARIO_ABOUT, shownStatus } from '../src/report/texts.ts';
import { chatHandshakeOf } from '../src/report/wire-section.ts';
import { explainHop } from '../src/wire/explain.ts';
import type { HopRelation, UdpHopRelation } from '../src/wire/relate.ts';
import { analyseDir, part } from './report-fixtures.ts';

const OWN = fileURLToPath(new URL('./fixtures/own/student-run/logs/', import.meta.url));
const LAB = fileURLToPath(new URL('../docs/examples/logs/', import.meta.url));
const NAT_CHAT = fileURLToPath(new URL('./fixtures/report/nat-chat/', import.meta.url));

const cache = new Map<string, Promise<Analysis>>();
function runOf(dir: string): Promise<Analysis> {
  const a = cache.get(dir) ?? analyseDir(dir, { captures: dir !== NAT_CHAT });
  cache.set(dir, a);
  return a;
}

const LANGS = ['en', 'ru'] as const;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('P1: a check that passed with parts not tested shows «passed in part», in its row and its heading', async () => {
  for (const dir of [OWN, LAB]) {
    const a = await runOf(dir);
    for (const lang of LANGS) {
      const md = render(a, lang);
      const evidence = part(md, lang === 'en' ? '#### Evidence' : '#### Доказательства');
      for (const c of a.checks) {
        const partial = c.status === 'pass' && c.findings.some((f) => f.na && !f.note);
        const label = CHECK_STATUS[partial ? 'partial' : c.status][lang]({});
        // The heading of the check in the appendix ends with its label, and only that one.
        const headings = evidence.split('\n').filter((l) => l.startsWith('##### ') && l.endsWith(label));
        assert.ok(headings.length > 0, `${c.id}: a heading ending with «${label}»`);
        if (!partial && c.status === 'pass')
          assert.ok(!headings.some((h) => h.endsWith(CHECK_STATUS.partial[lang]({}))));
      }
      const rows = md.split('\n').filter((l) => l.startsWith('| ') && l.includes(' | ✅ '));
      // A row that says a part was not tested never shows a plain pass beside it.
      for (const r of rows.filter((l) => /not tested in this run|не проверено в этом запуске/.test(l)))
        assert.match(r, lang === 'en' ? /\| ✅ passed in part \|/ : /\| ✅ пройдена частично \|/);
    }
  }
  // The student's run: five such checks (the chat and the four of their programs).
  const own = await runOf(OWN);
  const ru = render(own, 'ru');
  assert.equal((ru.match(/\| ✅ пройдена частично \|/g) ?? []).length, 5);
  assert.equal((ru.match(/: ✅ пройдена частично$/gm) ?? []).length, 5);
  // The totals still count them as passed.
  assert.match(ru, /\*\*Проверки: пройдено 10, не пройдено 1, неприменимо 0\*\*/);
  // A note (a message sent before anyone else joined) is not an untested part.
  assert.equal(shownStatus({ status: 'pass', findings: [{ na: true, note: true }, { na: false }] }), 'pass');
  assert.equal(shownStatus({ status: 'pass', findings: [{ na: true }] }), 'partial');
  assert.equal(shownStatus({ status: 'fail', findings: [{ na: true }] }), 'fail');
});

test('N1: UDP through the hop with TTL one less and the port kept is forwarding by the kernel (NAT)', async () => {
  for (const [dir, port] of [
    [OWN, 42966],
    [LAB, 36038],
  ] as const) {
    const a = await runOf(dir);
    const en = render(a, 'en');
    const ru = render(a, 'ru');
    assert.match(
      en,
      new RegExp(
        `TTL 64 before, 63 after\\. The TTL is exactly one less and the client's port ${port} is kept: the hop's kernel forwarded these datagrams, rewriting their addresses \\(NAT\\)\\. A program relaying them would send new datagrams of its own, with its own initial TTL`,
      ),
    );
    assert.match(
      ru,
      new RegExp(
        `TTL 64 до, 63 после\\. TTL меньше ровно на 1, а порт клиента ${port} тот же: эти дейтаграммы переслало ядро промежуточного узла, переписав в них адреса \\(NAT\\)\\. Программа-ретранслятор отправляла бы новые дейтаграммы со своим начальным TTL`,
      ),
    );
    // The line no longer says the datagrams cannot tell, beside the TTL and the port that do.
    assert.doesNotMatch(en, /datagrams alone cannot tell address rewriting/);
    assert.doesNotMatch(ru, /по одним дейтаграммам нельзя отличить/);
  }
  // A relay: new datagrams, TTL 64 again, another port: no claim of forwarding.
  const udp = (ttl: [number, number], afterClient: string): UdpHopRelation =>
    ({
      matchedDatagrams: 3,
      before: { client: '10.0.0.2:40000', server: '10.0.0.1:7008' },
      after: { client: afterClient, server: '10.0.1.10:7008' },
      ttl,
    }) as UdpHopRelation;
  const said = (u: UdpHopRelation, lang: 'en' | 'ru') =>
    blocksToMarkdown(explainHop({ tcp: [], udp: [u], summary: 'none' } as HopRelation, lang));
  for (const u of [
    udp([64, 64], '10.0.1.1:51000'),
    udp([64, 63], '10.0.1.1:51000'),
    udp([64, 64], '10.0.1.1:40000'),
  ]) {
    assert.doesNotMatch(said(u, 'en'), /kernel forwarded/);
    assert.match(said(u, 'en'), /datagrams alone cannot tell address rewriting from a relay/);
    assert.doesNotMatch(said(u, 'ru'), /переслало ядро/);
  }
  // Routed (no address rewritten): forwarded, without the word NAT.
  const routed = said(
    {
      matchedDatagrams: 2,
      before: { client: '10.0.0.2:40000', server: '10.0.1.10:7008' },
      after: { client: '10.0.0.2:40000', server: '10.0.1.10:7008' },
      ttl: [64, 63],
    } as UdpHopRelation,
    'en',
  );
  assert.match(routed, /the hop's kernel forwarded these datagrams\. A program/);
});

test('N4: with the student’s chat programs, Q5 says nothing of the lab’s chat clients, only the link', async () => {
  const own = await runOf(OWN);
  for (const lang of LANGS) {
    const text = blocksToMarkdown(lossAnswer(own.model, own.wire, lang));
    assert.doesNotMatch(text, /lab's chat clients|Клиенты чата стенда/);
    assert.match(
      text,
      lang === 'en'
        ? /^The link between the networks was not impaired \(the router logged loss 0 %, delay 0 ms\): the conditions of the run, not a measurement\./
        : /^Канал между сетями не был ухудшен \(маршрутизатор записал: потери 0 %, задержка 0 мс\): это условия опыта, а не измерение\./,
    );
  }
  // The lab's chat clients ran: their counts, as before.
  const lab = await runOf(LAB);
  const ru = blocksToMarkdown(lossAnswer(lab.model, lab.wire, 'ru'));
  assert.match(ru, /В этом запуске сеть не потеряла ни одной дейтаграммы чата \(между сетями отправлено/);
  assert.doesNotMatch(ru, /Канал между сетями/);
});

test('N5, N6: the lab’s server process ran but opened no socket; the terminals promise only the marks they use', async () => {
  const own = await runOf(OWN);
  const ru = render(own, 'ru');
  const en = render(own, 'en');
  assert.match(
    ru,
    /`stud-server`: процесс сервера стенда работал \(запущен в 04:23:05\.597, остановлен в 04:23:24\.965\), но не открыл ни одного сокета \(`server\.replaced`\)/,
  );
  assert.match(
    en,
    /`stud-server`: the lab’s server process ran \(started at 04:23:05\.597, stopped at 04:23:24\.965\) but opened no socket/,
  );
  assert.doesNotMatch(ru, /сервер стенда в этом запуске не работал/);
  // No program printed on stderr here: no `[stderr]` promised; the shell's line is marked, and said so.
  for (const [md, shell] of [
    [ru, '[оболочка /bin/sh, запустившая программу]'],
    [en, '[/bin/sh, which ran the program]'],
  ] as const) {
    const terminals = part(md, md === ru ? '### Что показал терминал' : '### What each terminal showed');
    assert.doesNotMatch(terminals, /`\[stderr\]`|stderr с пометкой/);
    assert.ok(terminals.includes(`\`${shell}\``), 'the shell’s mark is named');
    assert.ok(terminals.includes(`\n${shell} Terminated`), 'and used');
  }
  // A program that printed on stderr: then its lines are marked, and the intro says so.
  const edited = await analyseDir(OWN, {
    edit: (f, l) =>
      f === 'stud-own-echo-server.jsonl' && l.includes('Сервер запускается')
        ? l.replace('"stream":"stdout"', '"stream":"stderr"')
        : l,
  });
  const md = render(edited, 'ru');
  const terminals = part(md, '### Что показал терминал');
  assert.match(terminals, /строки из stderr помечены `\[stderr\]`/);
  assert.match(terminals, /\n\[stderr\] \[04:23:05\] Сервер запускается/);
});

test('N7, N8: the VM’s networks as hypervisors make them, and the bind address decides nothing of the peer’s', () => {
  const ru = SCENARIO_ABOUT.vm.ru({});
  const en = SCENARIO_ABOUT.vm.en({});
  assert.match(ru, /«только хост», host-only; сервер на хосте видит адрес самой ВМ/);
  assert.match(
    ru,
    /через NAT гипервизора — так по умолчанию в VirtualBox и VMware \(тогда сервер на хосте видит адрес NAT, а не адрес ВМ\)/,
  );
  assert.match(ru, /в режиме «сетевой мост» \(bridged\) ВМ подключена к физической сети сама/);
  assert.match(ru, /от адреса привязки не зависит: это адрес, с которого пришли пакеты/);
  assert.doesNotMatch(ru, /слушающий 0\.0\.0\.0, видит/);
  assert.match(
    en,
    /the default in VirtualBox and VMware \(a server on the host then sees an address of the NAT, not the VM’s\)/,
  );
  assert.match(en, /in bridged mode the VM is on the physical network itself/);
  assert.match(en, /does not depend on the address it bound/);
  assert.doesNotMatch(en, /host-only or bridged network/);
});

test('P2, N11, N14, N15: one ISN term, strace is masculine, the note reads as a note, no repeated zone', async () => {
  for (const dir of [OWN, LAB]) {
    const a = await runOf(dir);
    const ru = render(a, 'ru');
    const en = render(a, 'en');
    assert.doesNotMatch(ru, /номерами последовательности/);
    assert.match(
      ru,
      /два рукопожатия с разными начальными порядковыми номерами \(ISN\) — прокси \(см\. захват/,
    );
    assert.doesNotMatch(ru, /strace увидела/);
    assert.doesNotMatch(ru, /указан часовой пояс/);
    assert.doesNotMatch(en, /with their time zone/);
    assert.match(
      ru,
      /Время — с 2026-12-02 \d\d:\d\d:\d\d\.\d{3} UTC по 2026-12-02 \d\d:\d\d:\d\d\.\d{3} UTC\./,
    );
  }
  const ru = render(await runOf(OWN), 'ru');
  assert.match(ru, /момент, когда strace увидел возврат вызова/);
  assert.doesNotMatch(ru, /Это замечание, а не доставка/);
  assert.equal(
    (
      ru.match(
        /сервер ещё не знал, кому его переслать\. Замечание: эту дейтаграмму не получил ни один клиент из другой сети, и проверка её не учитывает/g,
      ) ?? []
    ).length,
    2,
  );
  assert.doesNotMatch(render(await runOf(OWN), 'en'), /A note, not a delivery/);
});

test('P4: the appendix intro names only what this run’s appendix holds', async () => {
  const own = await runOf(OWN);
  for (const lang of LANGS) {
    const md = render(own, lang);
    const intro = part(md, lang === 'en' ? '## Appendix' : '## Приложение').split('\n\n')[1] ?? '';
    // No lab program's line in a scenario's timeline, no byte table, no diagram in this run.
    assert.doesNotMatch(intro, /Byte counts and sequence diagrams|Счётчики байтов и диаграммы/);
    assert.doesNotMatch(intro, /the lab’s programs’ lines|строки программ стенда/);
    assert.doesNotMatch(
      md,
      lang === 'en' ? /#### Bytes|#### Sequence diagram/ : /#### Счётчики байтов|#### Диаграмма/,
    );
    assert.match(
      intro,
      lang === 'en'
        ? /A scenario’s timeline holds your echo programs’ traced socket calls; your chat programs’ calls are not in it/
        : /В хронологии сценария — вызовы с сокетами ваших эхо-программ из их трассировки; вызовов ваших чат-программ в ней нет/,
    );
    assert.match(intro, /On the wire|«В сети»/);
  }
  // A run whose appendix has them says so.
  const all = { lab: true, echo: true, chat: false, labBytes: true, wire: false };
  assert.match(
    REPORT_TEXTS.appendixAboutOwn.ru(all),
    /В хронологии сценария — строки программ стенда и вызовы с сокетами/,
  );
  assert.match(REPORT_TEXTS.appendixAboutOwn.ru(all), /Счётчики байтов и диаграммы последовательности/);
  assert.doesNotMatch(REPORT_TEXTS.appendixAboutOwn.ru(all), /В сети/);
  const none = { lab: false, echo: false, chat: true, labBytes: false, wire: false };
  assert.match(
    REPORT_TEXTS.appendixAboutOwn.en(none),
    /\. Your chat programs’ calls are not in the scenarios’ timelines: they are in “Implementation: your programs”\.$/,
  );
});

test('P5: the plain text protocol is the student’s programs’ (or the lab’s --protocol plain), not the course’s', async () => {
  const own = await runOf(OWN);
  assert.equal(chatHandshakeOf(own.model), 'own');
  assert.equal(chatHandshakeOf((await runOf(LAB)).model), 'lab');
  // The lab's chat with --protocol plain logs its joins with `protocol: plain`: no lab handshake.
  assert.equal(chatHandshakeOf((await runOf(NAT_CHAT)).model), 'plain');
  const ru = render(own, 'ru');
  const en = render(own, 'en');
  assert.match(
    ru,
    new RegExp(
      escape(
        'Каждая дейтаграмма здесь самостоятельна. В простом текстовом протоколе, которым говорят ваши программы, обмена при входе нет: участником клиент становится',
      ),
    ),
  );
  assert.match(
    en,
    /The plain text protocol your programs speak has no join exchange: a client becomes a member/,
  );
  assert.doesNotMatch(ru, /из курса нет обмена|протоколе чата из курса/);
  assert.doesNotMatch(en, /course's plain chat protocol/);
});
