/**
 * The report's Implementation section (issue #18, item 6) as document blocks: each own program's
 * code with line numbers and SHA-256, then the socket calls it made in this run, folded, with the
 * check each serves; for a chat program, a few of its datagrams as the captures show them
 * (own-wire.ts). Built from implementationData(); the renderers escape everything.
 */
import type { Lang } from '../log/events.js';
import { count } from '../text/plural.js';
import type { CheckResult } from './check.js';
import { code, codeBlock, fill, heading, join, list, paragraph, table, text } from './document/build.js';
import type { Block, Inline, LineNote } from './document/model.js';
import {
  type OursView,
  type ProgramView,
  type SourceView,
  implementationData,
} from './own-implementation.js';
import { type CallDatagrams, type CapturedFlows, MATCH_WINDOW_MS } from './own-wire.js';
import type { LogRecord } from './parse.js';
import { type OwnRun, type ShellLine, num, ownRuns, shellLine, str } from './own-checks.js';
import { TEXTS } from './texts.js';

/** A student's program by its role, as the report names it. */
export const OWN_ROLE_NAMES = {
  en: {
    'echo-server': 'Echo server',
    'echo-client': 'Echo client',
    'chat-server': 'Chat server',
    'chat-client': 'Chat client',
  },
  ru: {
    'echo-server': 'Эхо-сервер',
    'echo-client': 'Эхо-клиент',
    'chat-server': 'Чат-сервер',
    'chat-client': 'Чат-клиент',
  },
} as const;

const T = {
  en: {
    heading: 'Implementation: your programs',
    about:
      'The code that ran in this run, recorded with its SHA-256 when it started, then the socket system calls the program made, as strace saw them from outside, in the order it made them; these calls are the evidence the checks of that program read. Calls of the same name on the same socket that came one right after another are folded into one row, with the bytes each call returned, in order; any other call between them starts a new row.',
    program: (role: string, scenario: string | undefined) =>
      `${OWN_ROLE_NAMES.en[role as keyof (typeof OWN_ROLE_NAMES)['en']] ?? role}${scenario ? ` (${scenario})` : ''}`,
    command: 'Command:',
    file: (path: string, bytes: number) => `${path}, ${count('en', bytes, 'byte')}, SHA-256 `,
    ran: (path: string, bytes: number) =>
      `${path} (the command above runs this file), ${count('en', bytes, 'byte')}, SHA-256 `,
    shownAbove: 'its text is shown above',
    others: 'The other files of the program folders (listed once, their text not shown):',
    notShown: 'not shown: not UTF-8 text or too large',
    linesLeft: (n: number) => `${n} more lines not shown (or cut at 200 characters)`,
    filesSkipped: (n: number) => `${n} more files not recorded (over the limit)`,
    callsHeader: ['#', 'system call (fd), folded'],
    callsLeft: (n: number) =>
      `${n} more rows not shown: the calls made after the ones above (each is a line of the program's log)`,
    untraced: 'Ran without strace: no socket calls were recorded.',
    output: (stderr: boolean) =>
      `What the program printed${stderr ? ' (stdout and stderr; its stderr lines marked [stderr])' : ''}:`,
    outputLeft: (n: number) => `${n} more lines in the log`,
    unfinished:
      '  ← unfinished line (no newline after it): the program printed it earlier, but it reached the log only when the program ended',
    datagrams:
      'The same datagrams in the captures: a few of the calls above, each with the first characters of its text as strace saw them, beside the datagram tcpdump recorded and its UDP payload size. A capture on the other side of the router does not show the call’s addresses: the router rewrote them (NAT). A datagram is found by its ports and size, so one whose port NAT changed too shows as not in the captures.',
    datagramsAgain: 'The same datagrams in the captures (the table reads as the first such table above).',
    datagramsHeader: ['#', 'call', 'the datagram in the captures'],
    sent: 'to',
    received: 'from',
    side: { server: 'server side', remote: 'remote machine' },
    frame: (n: number) => `frame ${n}`,
    translated: 'across the router, which rewrote the addresses: NAT',
    notSeen: (ms: number) =>
      `not in the captures: no datagram of this size between these ports within ${ms} ms of the call`,
    where: { traceback: 'the traceback names this line', match: 'probably this line: found by its text' },
    pythonCalls:
      'A recv() or send() (Python’s socket methods and C’s functions alike) and Python’s sendall() show in strace as recvfrom() and sendto() with no address, as here on TCP sockets: the C library makes recv() and send() with the same system calls as recvfrom() and sendto(), leaving the address out, and sendall() is a loop of send() calls until every byte is taken. The socket is TCP all the same: socket() created it with SOCK_STREAM.',
    shellMark: (line: string) => `[/bin/sh, which ran the program] ${line}`,
    shellLine: (line: string, code: number, signal: string) =>
      `The line “${line}” is not your program's: it was printed by /bin/sh, which ran the command and waited for the program, when the program was ended by ${signal} (exit status ${code} = 128 + the signal's number). A process ended by a signal's default action prints nothing itself.`,
    oursHeading: 'Implementation: the lab’s own server',
    oursAbout: (read: string) =>
      `No own program ran, so this is ours. The lines of our echo server that handle a connection's data: where it gets what a read returned (on('data')), writes the echo (write()), stops reading while a client does not read its echo and later resumes it (pause(), resume()) and closes its side (end()). Each read is a ${read} system call, as strace shows it: Node.js reads into its own buffer and the server cuts what arrived into portions.`,
  },
  ru: {
    heading: 'Реализация: ваши программы',
    about:
      'Код, который работал в этом запуске (записан с SHA-256 при старте), и системные вызовы с сокетами, которые сделала программа, — как их увидел strace снаружи, в том порядке, в каком она их делала; по этим вызовам и судят проверки этой программы. Одноимённые вызовы на одном сокете, идущие подряд, свёрнуты в одну строку с числом байт, которое вернул каждый из них, по порядку; любой другой вызов между ними начинает новую строку.',
    program: (role: string, scenario: string | undefined) =>
      `${OWN_ROLE_NAMES.ru[role as keyof (typeof OWN_ROLE_NAMES)['ru']] ?? role}${scenario ? ` (${scenario})` : ''}`,
    command: 'Команда:',
    file: (path: string, bytes: number) => `${path}, ${count('ru', bytes, 'byte')}, SHA-256 `,
    ran: (path: string, bytes: number) =>
      `${path} (этот файл запускает команда выше), ${count('ru', bytes, 'byte')}, SHA-256 `,
    shownAbove: 'его текст показан выше',
    others: 'Остальные файлы папок программ (перечислены один раз, текст не показан):',
    notShown: 'не показан: не текст UTF-8 или слишком большой',
    linesLeft: (n: number) => `ещё строк не показано (или обрезано до 200 символов): ${n}`,
    filesSkipped: (n: number) => `ещё файлов не записано (сверх предела): ${n}`,
    callsHeader: ['№', 'системный вызов (fd), свёрнуто'],
    callsLeft: (n: number) =>
      `ещё строк не показано: ${n} — это вызовы, сделанные после показанных выше (каждый записан строкой в журнале программы)`,
    untraced: 'Программа работала без strace: вызовы с сокетами не записаны.',
    output: (stderr: boolean) =>
      `Что напечатала программа${stderr ? ' (stdout и stderr; её строки из stderr помечены [stderr])' : ''}:`,
    outputLeft: (n: number) => `ещё строк в журнале: ${n}`,
    unfinished:
      '  ← незаконченная строка (после неё не было перевода строки): программа напечатала её раньше, но в журнал она попала только при завершении программы',
    datagrams:
      'Те же дейтаграммы в захватах: несколько вызовов из таблицы выше, у каждого — первые символы его текста, как их увидел strace, а рядом — дейтаграмма, которую записал tcpdump, и размер её полезной нагрузки UDP. Захват по другую сторону маршрутизатора показывает не те адреса, что в вызове: их заменил маршрутизатор (NAT). Дейтаграмма ищется по портам и размеру, поэтому та, у которой NAT заменил и порт, будет показана как отсутствующая в захватах.',
    datagramsAgain: 'Те же дейтаграммы в захватах (таблица читается так же, как первая такая таблица выше).',
    datagramsHeader: ['№', 'вызов', 'дейтаграмма в захватах'],
    sent: 'на',
    received: 'от',
    side: { server: 'сторона сервера', remote: 'удалённая машина' },
    frame: (n: number) => `кадр ${n}`,
    translated: 'по другую сторону маршрутизатора, который заменил адреса: NAT',
    notSeen: (ms: number) =>
      `в захватах нет: ни одной дейтаграммы такого размера между этими портами в пределах ${ms} мс от вызова`,
    where: {
      traceback: 'эту строку называет трассировка стека',
      match: 'вероятно, эта строка: найдена по тексту',
    },
    pythonCalls:
      'Вызовы recv() и send() (и методы сокета Python, и функции C) и метод Python sendall() видны в strace как recvfrom() и sendto() без адреса — как здесь, на сокетах TCP: библиотека C выполняет recv() и send() теми же системными вызовами, что и recvfrom() и sendto(), просто не передавая адрес, а sendall() — это цикл вызовов send(), пока не будут приняты все байты. Сокет от этого остаётся TCP: socket() создал его с SOCK_STREAM.',
    shellMark: (line: string) => `[оболочка /bin/sh, запустившая программу] ${line}`,
    shellLine: (line: string, code: number, signal: string) =>
      `Строку «${line}» напечатала не ваша программа, а оболочка /bin/sh, которая выполняла команду и ждала программу: так она сообщает, что программу завершил сигнал ${signal} (код выхода ${code} = 128 + номер сигнала). Процесс, который завершило действие сигнала по умолчанию, сам ничего не печатает.`,
    oursHeading: 'Реализация: сервер стенда',
    oursAbout: (read: string) =>
      `Собственные программы не запускались, поэтому показан наш сервер. Строки нашего эхо-сервера, которые работают с данными соединения: получают то, что вернуло чтение (on('data')), пишут эхо (write()), приостанавливают чтение, пока клиент не читает своё эхо, и потом возобновляют его (pause(), resume()), и закрывают свою сторону (end()). Каждое чтение — системный вызов ${read}, как его показывает strace: Node.js читает в свой буфер, а сервер режет пришедшее на порции.`,
  },
};

/** What the section has shown so far: a file's text once, the folder's other files once. */
interface Shown {
  texts: Set<string>;
  others: Map<string, SourceView>;
  /** The shell's signal line explained (once). */
  shell?: boolean;
  /** How to read a calls-beside-datagrams table explained (once). */
  datagrams?: boolean;
}

/** The role whose code each own check judges (its failing findings point into that role's files). */
const CHECK_ROLE: Record<string, string> = {
  'own-echo-server': 'echo-server',
  'own-echo-client': 'echo-client',
  'own-chat-server': 'chat-server',
  'own-chat-client': 'chat-client',
};

/** The notes of a role's file: each failing finding that points at one of its lines, once. */
function notesOf(checks: readonly CheckResult[], role: string, path: string, lang: Lang): LineNote[] {
  const notes: LineNote[] = [];
  const seen = new Set<string>();
  for (const c of checks) {
    if (CHECK_ROLE[c.id] !== role) continue;
    for (const f of c.findings) {
      if (f.ok || !f.where || f.where.path !== path) continue;
      const key = `${f.where.line} ${f.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      notes.push({
        line: f.where.line,
        content: [
          text('❌ '),
          ...fill(TEXTS[lang].finding[f.code], f.params),
          text(` (${T[lang].where[f.where.how]})`),
        ],
      });
    }
  }
  return notes;
}

function programBlocks(
  p: ProgramView,
  lang: Lang,
  shown: Shown,
  checks: readonly CheckResult[],
  shell: ShellLine | undefined,
): Block[] {
  const t = T[lang];
  const out: Block[] = [
    heading(3, t.program(p.role, p.scenario)),
    paragraph(join([t.command, code(p.command)], ' ')),
  ];
  // The files the command names are the code that ran. When it names none (a compiled program),
  // every file is shown, as the only code there is; either way each text at most once.
  const anyRan = p.files.some((f) => f.ran);
  for (const f of p.files) {
    if (anyRan && !f.ran) {
      const key = `${f.path} ${f.sha256}`;
      if (!shown.others.has(key)) shown.others.set(key, f);
      continue;
    }
    out.push(
      paragraph([
        ...join([f.ran ? t.ran(f.path, f.bytes) : t.file(f.path, f.bytes)], ''),
        code(f.sha256),
      ] as Inline[]),
    );
    if (shown.texts.has(f.sha256) && f.lines.length > 0) out.push(paragraph(t.shownAbove));
    else if (f.lines.length === 0) out.push(paragraph(t.notShown));
    else {
      const language = f.path.endsWith('.py')
        ? 'python'
        : f.path.endsWith('.c') || f.path.endsWith('.h')
          ? 'c'
          : 'text';
      const notes = notesOf(checks, p.role, f.path, lang).filter((n) => n.line <= f.lines.length);
      out.push(
        codeBlock(f.lines.map((l) => l.text).join('\n'), language, {
          firstLine: 1,
          ...(notes.length > 0 ? { notes } : {}),
        }),
      );
      if (f.linesLeft > 0) out.push(paragraph(t.linesLeft(f.linesLeft)));
      shown.texts.add(f.sha256);
    }
  }
  if (p.filesSkipped > 0) out.push(paragraph(t.filesSkipped(p.filesSkipped)));
  if (p.output.length > 0) {
    out.push(
      paragraph(t.output(p.output.some((o, i) => o.stream === 'stderr' && shell?.index !== i))),
      codeBlock(
        p.output
          .map((o, i) =>
            shell?.index === i
              ? t.shellMark(o.text)
              : `${o.stream === 'stderr' ? `[stderr] ${o.text}` : o.text}${o.unfinished ? t.unfinished : ''}`,
          )
          .join('\n'),
        'text',
      ),
    );
    if (p.outputLeft > 0) out.push(paragraph(t.outputLeft(p.outputLeft)));
    // Said once in the section; later programs' lines carry only the mark.
    if (shell && shell.index < p.output.length && !shown.shell) {
      shown.shell = true;
      out.push(paragraph(t.shellLine(shell.text, shell.code, shell.signal)));
    }
  }
  if (!p.traced) {
    out.push(paragraph(t.untraced));
    return out;
  }
  out.push(
    table(
      t.callsHeader,
      p.calls.map((c, i) => [String(i + 1), code(c.text)]),
    ),
  );
  if (p.callsLeft > 0) out.push(paragraph(t.callsLeft(p.callsLeft)));
  if (p.datagrams.length > 0) {
    // How to read the table is said once in the section; later programs' tables get a reference.
    out.push(...datagramBlocks(p.datagrams, lang, !shown.datagrams));
    shown.datagrams = true;
  }
  return out;
}

/** The chat program's calls beside their datagrams in the captures (own-wire.ts); all text escaped by the renderers. */
function datagramBlocks(rows: readonly CallDatagrams[], lang: Lang, first: boolean): Block[] {
  const t = T[lang];
  return [
    paragraph(first ? t.datagrams : t.datagramsAgain),
    table(
      t.datagramsHeader,
      rows.map((d, i) => {
        const head = `${d.call}(${d.fd ?? '?'})`;
        const call = join(
          [
            code(head),
            `${count(lang, d.bytes, 'byte')} ${d.direction === 'sent' ? t.sent : t.received}`,
            code(d.peer),
            ...(d.text !== undefined ? [code(d.text)] : []),
          ],
          ' ',
        );
        const seen =
          d.seen.length === 0
            ? [text(t.notSeen(MATCH_WINDOW_MS))]
            : join(
                d.seen.map((s) =>
                  join(
                    [
                      `${t.side[s.side]}, ${t.frame(s.frame)}:`,
                      code(`${s.from} → ${s.to}`),
                      `${count(lang, s.bytes, 'byte')}${s.translated ? ` (${t.translated})` : ''}`,
                    ],
                    ' ',
                  ),
                ),
                '; ',
              );
        return [String(i + 1), call, seen];
      }),
    ),
  ];
}

/**
 * The section's blocks: the own programs of the run, or, given `ours` (our server's lines, which
 * the caller reads from its source), our server honestly; nothing when there is neither.
 */
export function implementationSection(
  records: readonly LogRecord[],
  lang: Lang,
  ours?: OursView,
  captures: readonly CapturedFlows[] = [],
  checks: readonly CheckResult[] = [],
): Block[] {
  const programs = implementationData(records, lang, captures);
  const t = T[lang];
  if (programs.length > 0) {
    const shown: Shown = { texts: new Set(), others: new Map() };
    // implementationData() lists the runs of ownRuns() in the same order.
    const runs = ownRuns(records);
    const blocks = programs.flatMap((p, i) => {
      const run = runs[i];
      return programBlocks(p, lang, shown, checks, run ? shellLine(run) : undefined);
    });
    // A file listed as "other" in one program but shown as code in another is not listed again.
    const others = [...shown.others.values()].filter((f) => !shown.texts.has(f.sha256));
    return [
      heading(2, t.heading),
      paragraph(t.about),
      ...(runs.some(pythonStyleCalls) ? [paragraph(t.pythonCalls)] : []),
      ...blocks,
      ...(others.length > 0
        ? [
            paragraph(t.others),
            list(others.map((f) => [...join([t.file(f.path, f.bytes)], ''), code(f.sha256)] as Inline[])),
          ]
        : []),
    ];
  }
  if (!ours || ours.lines.length === 0) return [];
  return [
    heading(2, t.oursHeading),
    paragraph(t.oursAbout(ours.read)),
    list(ours.lines.map((l) => join([`${l.n}: `, code(l.text.trim())], ''))),
  ];
}

/** A run whose trace has recv()/send() as strace shows them: recvfrom()/sendto() with no address on a TCP socket. */
function pythonStyleCalls(run: OwnRun): boolean {
  return run.calls.some(
    (r) =>
      ['recvfrom', 'sendto'].includes(str(r, 'call') ?? '') &&
      str(r, 'type') === 'tcp' &&
      (num(r, 'result') ?? -1) >= 0,
  );
}
