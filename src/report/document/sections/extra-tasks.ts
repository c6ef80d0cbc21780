/**
 * The extra tasks: connections from the local machine, a virtual machine and a remote machine
 * (per scenario: addresses, why the server saw what it saw, the topology), ending with `exit`, the
 * chat over UDP, and what each terminal showed.
 */
import type { Lang } from '../../../log/events.js';
import { screenIn } from '../../../text/screen.js';
import { reasonLabel } from '../../../text/reasons.js';
import { count } from '../../../text/plural.js';
import { type ChatSession, type EchoSession, numField as num, strField as str } from '../../aggregate.js';
import { addressOf, isLoopback, splitEndpoint } from '../../endpoint.js';
import { lineText } from '../../lines.js';
import type { LogRecord } from '../../parse.js';
import { topologySvg } from '../../svg.js';
import { topology, topologyMermaid } from '../../topology.js';
import {
  code,
  codeBlock,
  figure,
  heading,
  join,
  list,
  paragraph,
  prose,
  strong,
  table,
  text,
} from '../build.js';
import type { Block, Inline } from '../model.js';
import { type Ctx, L, P, bytes, callRef, cite, clock, explainRecord, own, timeHeader } from './context.js';
import { decodePreview } from '../../../own/strace.js';
import { type OwnRun, shellLine } from '../../own-checks.js';
import { unfinishedLine } from '../../own-implementation.js';
import { OWN_ROLE_NAMES } from '../../own-section.js';

/** What the server saw of a client: our server's line, else the student's server's accept(). */
function seenOf(c: Ctx, s: EchoSession | ChatSession): string | undefined {
  if (!('connected' in s)) return s.member?.remote;
  const accept = c.model.ownServer.get(s)?.[0];
  return s.server?.remote ?? (accept ? str(accept, 'peer') : undefined);
}

function whySeen(c: Ctx, s: EchoSession | ChatSession): string {
  const isEcho = 'connected' in s;
  const seen = seenOf(c, s);
  return whyFor(c, Boolean(isEcho ? s.connected : s.joined), s.local, seen);
}

function whyFor(c: Ctx, connected: boolean, local: string | undefined, seen: string | undefined): string {
  const { lang } = c;
  const s = { local };
  if (!connected) return L(lang, 'never connected', 'не подключился');
  if (!seen || !s.local)
    return L(lang, 'the server’s side is not in the logs', 'строки сервера в журналах нет');
  if (isLoopback(seen))
    return L(
      lang,
      'it dialed 127.0.0.1: the packets never left the server’s host (the loopback interface), so both ends are loopback addresses',
      'клиент подключался к 127.0.0.1: пакеты не покидали хост сервера (петлевой интерфейс), поэтому оба конца — адреса петлевого интерфейса',
    );
  if (addressOf(seen) === addressOf(s.local))
    return L(
      lang,
      'the server saw the client’s own address: nothing on the way rewrote the source address (here client and server share one network; a router without NAT would keep the address too)',
      'сервер увидел локальный адрес клиента: по дороге адрес отправителя никто не переписал (здесь клиент и сервер в одной сети; маршрутизатор без NAT тоже сохранил бы адрес)',
    );
  const samePort = splitEndpoint(seen).port === splitEndpoint(s.local).port;
  return samePort
    ? L(
        lang,
        'the server saw another address with the client’s own port: a hop on the way to it rewrote the source address (source NAT, SNAT; in iptables, MASQUERADE)',
        'сервер увидел другой адрес с тем же портом, что у клиента: узел на пути к серверу подменил адрес отправителя (SNAT, в iptables — MASQUERADE)',
      )
    : L(
        lang,
        'the server saw another address and another port: either a NAT on the way to it rewrote the source and had to renumber the port (MASQUERADE does when the client’s port is taken), or a proxy (such as Docker’s userland proxy on a published port) opened its own connection to the server. The logs cannot tell the two apart; the packets can: one handshake through the hop is NAT, two handshakes with different initial sequence numbers are a proxy',
        'сервер увидел другой адрес и другой порт: либо NAT на пути к серверу заменил адрес отправителя и был вынужден сменить порт (MASQUERADE делает так, если порт клиента уже занят), либо прокси (например, прокси Docker в пространстве пользователя на опубликованном порту) открыл к серверу своё соединение. По журналам эти случаи не различить, по пакетам — можно: одно рукопожатие через промежуточный узел — это NAT, два рукопожатия с разными начальными порядковыми номерами (ISN) — прокси',
      );
}

function topoWords(lang: Lang) {
  return {
    hop: L(lang, 'hop on the way to the server', 'узел на пути к серверу'),
    dials: (p: { to: string }) => L(lang, `dials ${p.to}`, `обращается к ${p.to}`),
    from: (p: { from: string }) => L(lang, `from ${p.from}`, `с адреса ${p.from}`),
  };
}

/** Local, vm and remote: per scenario, who dialed what and what the server saw, and why. */
export function connectionsItem(c: Ctx): Block[] {
  const { lang, model } = c;
  const out: Block[] = [
    heading(
      3,
      L(
        lang,
        'Connection from the local machine, a virtual machine and a remote machine',
        'Подключение с локальной машины, с виртуальной машины и с удалённой машины',
      ),
    ),
  ];
  // A UDP socket is bound, never listening (UDP has no listen()): each socket said as what it does.
  const bound = (l: typeof lang) =>
    model.servers
      .flatMap((s) => s.listening)
      .map((r) => {
        const tcp = str(r, 'protocol') === 'tcp';
        const what = tcp
          ? L(l, 'listening for connections', 'слушает и ждёт соединений')
          : L(l, 'receiving datagrams', 'принимает дейтаграммы');
        return prose`${code(`${str(r, 'protocol')?.toUpperCase()} ${str(r, 'address')}:${num(r, 'port')}`)} (${what})`;
      });
  if (bound(lang).length > 0) {
    out.push(
      P(
        lang,
        prose`The server’s sockets are bound to ${join(bound('en'))}: 0.0.0.0 means every address of its host, so clients can reach it on any of them.`,
        prose`Сокеты сервера привязаны к ${join(bound('ru'))}: 0.0.0.0 означает все адреса его хоста, поэтому клиенты могут обратиться к нему по любому из них.`,
      ),
    );
  }
  if (model.scenarios.length === 0 && own(c).chat.clients.length === 0)
    out.push(P(lang, 'No client in this run’s logs.', 'В журналах этого запуска нет клиентов.'));
  const views = [...model.scenarios];
  // A scenario where only a student's chat client ran has no view of ours: its rows still belong here.
  for (const x of own(c).chat.clients) {
    const name = x.run.scenario;
    if (name && !views.some((v) => v.name === name)) views.push({ name, echo: [], chat: [], records: [] });
  }
  for (const view of views) {
    out.push(heading(4, prose`${L(lang, 'Scenario', 'Сценарий')} ${code(view.name)}`));
    const sessions: Array<EchoSession | ChatSession> = [...view.echo, ...view.chat];
    out.push(
      table(
        [
          L(lang, 'client', 'клиент'),
          L(lang, 'server address', 'адрес сервера'),
          L(lang, 'own address', 'локальный адрес'),
          L(lang, 'seen by the server', 'что увидел сервер'),
          L(lang, 'why', 'почему'),
        ],
        sessions
          .map((s) => {
            const isEcho = 'connected' in s;
            const dialed = isEcho ? s.remote : s.server;
            const seen = seenOf(c, s);
            return [
              isEcho ? [code(s.program.label)] : prose`${code(s.program.label)} (${s.nick ?? '?'})`,
              dialed ? code(dialed) : '-',
              s.local ? code(s.local) : '-',
              seen ? code(seen) : '-',
              whySeen(c, s),
            ];
          })
          .concat(ownRows(c, view.name)),
      ),
    );
    const topo = topology(model, sessions, topoWords(lang));
    if (topo.nodes.length > 0) out.push(figure({ mermaid: topologyMermaid(topo), svg: topologySvg(topo) }));
    for (const x of c.extraSections?.(view, lang) ?? []) out.push(heading(5, x.heading), ...x.blocks);
  }
  return out;
}

/** Ending the session with `exit`: the clients that did, or how to show it. */
export function exitItem(c: Ctx): Block[] {
  const { lang, model } = c;
  const out: Block[] = [
    heading(3, prose`${L(lang, 'Ending the session with', 'Завершение сеанса командой')} ${code('exit')}`),
  ];
  const ends = [...model.echo.map((s) => s.disconnected), ...model.chat.map((s) => s.left)].filter(
    (r): r is LogRecord => r !== undefined,
  );
  const exits = ends.filter((r) => str(r, 'reason') === 'user-exit');
  const ownExits = own(c).exits;
  if (ownExits.length > 0) {
    out.push(
      P(
        lang,
        'Your clients that got `exit` on their standard input, and the call they made next (their trace):',
        'Ваши клиенты, получившие `exit` на стандартный ввод, и вызов, который они сделали следом (по трассировке):',
      ),
      list(
        [...ownExits]
          .sort((a, b) => a.input.time - b.input.time)
          .map((x) => {
            const end = x.run.exited;
            const how = end
              ? str(end, 'reason') === 'exited'
                ? L(
                    lang,
                    `the program then ended by itself (exit code ${num(end, 'code') ?? '?'})`,
                    `затем программа завершилась сама (код выхода ${num(end, 'code') ?? '?'})`,
                  )
                : L(
                    lang,
                    `the program did not end by itself (it was ${reasonLabel(str(end, 'reason') ?? '?', lang)})`,
                    `сама программа не завершилась (${reasonLabel(str(end, 'reason') ?? '?', lang)})`,
                  )
              : '';
            return prose`${clock(x.input.time)} ${code(x.run.source)} (${code(x.run.scenario ?? '-')}): \`exit\` (${cite(x.input)}) → ${x.after ? callRef(x.after) : L(lang, 'no socket call after it', 'после него вызовов с сокетом нет')}${how ? `; ${how}` : ''}`;
          }),
      ),
    );
    if (exits.length === 0) return out;
  }
  if (exits.length > 0) {
    out.push(
      P(
        lang,
        'Clients that ended because the user typed `exit`:',
        'Клиенты, завершившие работу, потому что пользователь ввёл `exit`:',
      ),
      list(exits.map((r) => prose`${clock(r.time)} ${code(r.source)}: ${explainRecord(r, lang)}`)),
    );
    return out;
  }
  const reasons = [...new Set(ends.map((r) => reasonLabel(str(r, 'reason') ?? '?', lang)))].join(', ');
  out.push(
    P(
      lang,
      prose`**No client in this run ended with \`exit\`**${reasons ? ` (they ended: ${reasons})` : ''}. To show it, attach to a running client’s terminal, type \`exit\` and press Enter, then build the report again:`,
      prose`**Ни один клиент в этом запуске не завершился командой \`exit\`**${reasons ? ` (причины завершения: ${reasons})` : ''}. Чтобы это показать, подключитесь к терминалу работающего клиента, введите \`exit\`, нажмите Enter и постройте отчёт заново:`,
    ),
    codeBlock(`docker attach ${model.echo[0]?.program.label ?? '<echo-client-container>'}`, 'sh'),
  );
  return out;
}

/** The text of a chat message, from the server's relay line (clients do not log texts). */
function relayFor(c: Ctx, nick: string | undefined, r: LogRecord): LogRecord | undefined {
  const relays = c.model.members
    .filter((m) => m.nick === nick)
    .flatMap((m) => m.records.filter((x) => x.event === 'udp.message.relayed'));
  return relays
    .filter((x) => num(x, 'bytes') === num(r, 'bytes'))
    .sort((a, b) => Math.abs(a.time - r.time) - Math.abs(b.time - r.time))[0];
}

/** The multi-user chat over UDP: every message, who sent it and who received it. */
export function chatItem(c: Ctx): Block[] {
  const { lang, model } = c;
  const out: Block[] = [heading(3, L(lang, 'Multi-user chat over UDP', 'Многопользовательский чат на UDP'))];
  const joined = model.chat.filter((s) => s.joined);
  const oc = own(c).chat;
  if (joined.length === 0 && (oc.members.length > 0 || oc.clients.some((x) => x.sends.length > 0))) {
    out.push(...ownChat(c));
    return out;
  }
  if (joined.length === 0) {
    out.push(
      P(
        lang,
        '**No chat client joined in this run.** Start two, e.g.:',
        '**В этом запуске ни один чат-клиент не вошёл в чат.** Запустите двух, например:',
      ),
      codeBlock('npx socket-lab chat --host 127.0.0.1 --nick alice', 'sh'),
    );
    return out;
  }
  out.push(
    P(
      lang,
      'Each message leaves its client as one UDP datagram; the server sends a copy to every other member. The members below are on different networks, so this is the chat across networks:',
      'Каждое сообщение уходит от клиента одной дейтаграммой UDP; сервер отправляет копию каждому из остальных участников. Участники ниже находятся в разных сетях — это и есть чат между сетями:',
    ),
  );
  // In time order across all clients (each client's lines are in its own order only).
  const timed: Array<{ r: LogRecord; row: Inline[][] }> = [];
  for (const s of joined) {
    for (const r of s.records.filter((x) => x.event === 'chat.message.sent')) {
      const relay = relayFor(c, s.nick, r);
      const receivers = joined
        .filter((o) => o !== s)
        .filter((o) =>
          o.records.some(
            (x) =>
              x.event === 'chat.message.received' &&
              str(x, 'nick') === s.nick &&
              num(x, 'bytes') === num(r, 'bytes'),
          ),
        )
        .map((o) => prose`${o.nick ?? '?'} (${code(o.scenario)})`);
      timed.push({
        r,
        row: [
          prose`${clock(r.time)}`,
          prose`${s.nick ?? '?'} (${code(s.scenario)})`,
          relay
            ? [code(str(relay, 'preview') ?? '')]
            : prose`*${L(lang, '(text not in the logs)', '(текста в журналах нет)')}*`,
          prose`${String(num(r, 'bytes') ?? '?')}`,
          prose`${relay ? String(num(relay, 'recipients') ?? '?') : '?'}`,
          receivers.length > 0 ? join(receivers) : prose`-`,
        ],
      });
    }
  }
  out.push(
    table(
      [
        timeHeader(c),
        L(lang, 'from', 'от кого'),
        L(lang, 'text', 'текст'),
        L(lang, 'bytes', 'байт'),
        L(lang, 'copies sent', 'копий разослано'),
        L(lang, 'received by', 'кто получил'),
      ],
      timed
        .sort((a, b) => a.r.time - b.r.time || (c.model.order.get(a.r) ?? 0) - (c.model.order.get(b.r) ?? 0))
        .map((x) => x.row),
    ),
  );
  return out;
}

function transcript(c: Ctx, s: EchoSession | ChatSession): Block[] {
  const { lang } = c;
  const screen = screenIn(lang);
  const shown: string[] = [];
  if ('connected' in s) {
    shown.push(screen('echo-connected', { remote: s.remote ?? '?', local: s.local ?? '?' }));
    const lines = c.lines.get(s);
    for (const line of lines ?? []) {
      const t = lineText(line);
      const text = t
        ? `${t.text}${t.cut ? L(lang, `… (${line.bytes} bytes)`, `… (${bytes(lang, line.bytes)})`) : ''}`
        : L(lang, `(${line.bytes} bytes)`, `(${bytes(lang, line.bytes)})`);
      shown.push(`> ${text}`);
      if (line.reads.length > 0) shown.push(`${screen('echo-prefix', {})}${text}`);
    }
    if (!lines) shown.push(L(lang, '(many lines: see the appendix)', '(много строк: см. приложение)'));
    // Our client prints its log lines on its terminal too (above the input line): its disconnect.
    if (s.disconnected)
      shown.push(
        `${clock(s.disconnected.time)} ${s.disconnected.event}: ${explainRecord(s.disconnected, lang)}`,
      );
  } else {
    if (s.joined) {
      const where = { server: s.server ?? '?', nick: s.nick ?? '?', local: s.local ?? '?' };
      const members = num(s.joined, 'members');
      // The plain protocol never says how many members there are: its client shows no count.
      shown.push(
        members === undefined
          ? screen('chat-plain-started', where)
          : screen('chat-joined', { ...where, members }),
      );
    }
    for (const r of s.records) {
      const nick = str(r, 'nick') ?? '?';
      switch (r.event) {
        case 'chat.member.joined':
          shown.push(screen('member-joined', { nick }));
          break;
        case 'chat.member.left':
          shown.push(screen('member-left', { nick, reason: str(r, 'reason') ?? '?' }));
          break;
        case 'chat.server.lost':
          shown.push(screen('server-lost', { reason: str(r, 'reason') ?? '?' }));
          break;
        case 'chat.message.sent': {
          const relay = relayFor(c, s.nick, r);
          shown.push(
            `> ${relay ? (str(relay, 'preview') ?? '') : L(lang, `(${num(r, 'bytes')} bytes)`, `(${bytes(lang, num(r, 'bytes') ?? 0)})`)}`,
          );
          break;
        }
        case 'chat.message.received': {
          const relay = relayFor(c, nick, r);
          shown.push(
            `<${nick}> ${relay ? (str(relay, 'preview') ?? '') : L(lang, `(${num(r, 'bytes')} bytes)`, `(${bytes(lang, num(r, 'bytes') ?? 0)})`)}`,
          );
          break;
        }
      }
    }
  }
  // Each shown line is one line of the block: a newline inside a logged text stays visible.
  return [
    paragraph(strong(code(s.program.label))),
    codeBlock(shown.map((l) => l.replace(/\n/g, '\\n')).join('\n'), 'text'),
  ];
}

/** Lines of the server's console the report shows before it says how many more there are. */
const CONSOLE_LINES = 40;

/**
 * At most CONSOLE_LINES of a console: its start, how many are left out, and its end from the
 * first line `keepFrom` picks (the stop the report cites elsewhere), so that a long console is
 * never cut before the lines that say how the program ended.
 */
function bounded<T>(
  lines: readonly T[],
  lang: Lang,
  show: (x: T) => string,
  keepFrom: (x: T) => boolean,
): string[] {
  if (lines.length <= CONSOLE_LINES) return lines.map(show);
  const from = lines.findIndex(keepFrom);
  const tail = Math.min(from >= 0 ? lines.length - from : 2, 5);
  const head = CONSOLE_LINES - tail;
  const left = lines.length - head - tail;
  return [
    ...lines.slice(0, head).map(show),
    L(
      lang,
      `… ${count('en', left, { one: 'more line', other: 'more lines' })}: the appendix has them all`,
      `… и ещё ${count(lang, left, 'line')}: все они есть в приложении`,
    ),
    ...lines.slice(lines.length - tail).map(show),
  ];
}

/** The parts of our server a student's own programs took over (server.replaced), by protocol. */
function replacedParts(c: Ctx): number {
  return c.model.servers[0]?.program.records.filter((r) => r.event === 'server.replaced').length ?? 0;
}

/** The server's console: its log lines as its screen shows them (time, event, explanation). */
function serverConsole(c: Ctx): Block[] {
  const { lang, model } = c;
  const server = model.servers[0];
  if (!server) return [];
  // Both parts replaced: our server's process ran (it started and stopped) but opened no socket,
  // and its lines would describe ports it never used; the student's servers' lines stand in its place.
  if (replacedParts(c) >= 2 && own(c).runs.length > 0) {
    const started = server.starting ? clock(server.starting.time) : undefined;
    const stopped = server.stopped ? clock(server.stopped.time) : undefined;
    const when = L(
      lang,
      [started ? `started at ${started}` : '', stopped ? `stopped at ${stopped}` : '']
        .filter(Boolean)
        .join(', '),
      [started ? `запущен в ${started}` : '', stopped ? `остановлен в ${stopped}` : '']
        .filter(Boolean)
        .join(', '),
    );
    return [
      P(
        lang,
        prose`${code(server.program.label)}: the lab’s server process ran${when ? ` (${when})` : ''} but opened no socket (${code('server.replaced')}): your programs took both its ports, so their lines are shown instead.`,
        prose`${code(server.program.label)}: процесс сервера стенда работал${when ? ` (${when})` : ''}, но не открыл ни одного сокета (${code('server.replaced')}): оба его порта заняли ваши программы, поэтому ниже показаны их строки.`,
      ),
    ];
  }
  const shown = bounded(
    server.program.records,
    lang,
    (r) => `${clock(r.time)} ${r.event}: ${explainRecord(r, lang)}`.replace(/\n/g, '\\n'),
    (r) => r.event === 'server.stopping' || r.event === 'server.stopped',
  );
  return [paragraph(strong(code(server.program.label))), codeBlock(shown.join('\n'), 'text')];
}

/** The marks ownConsole puts before a line: the shell's, and stderr's. */
const SHELL_MARK = {
  en: '[/bin/sh, which ran the program]',
  ru: '[оболочка /bin/sh, запустившая программу]',
};

/**
 * The intro of the student's programs' terminals, naming only the marks their lines carry: stderr's
 * when a program printed on stderr, the shell's when a shell line ("Terminated") is among them.
 */
function ownTerminalsIntro(runs: readonly OwnRun[]): [string, string] {
  let stderr = false;
  let shell = false;
  for (const run of runs) {
    const sh = shellLine(run);
    if (sh) shell = true;
    if (run.output.some((r, i) => str(r, 'stream') === 'stderr' && !(sh && i === sh.index))) stderr = true;
  }
  const en = [
    ...(stderr ? ['lines on stderr are marked `[stderr]`'] : []),
    ...(shell ? [`the line of the shell that ran a program is marked \`${SHELL_MARK.en}\``] : []),
  ];
  const ru = [
    ...(stderr ? ['строки из stderr помечены `[stderr]`'] : []),
    ...(shell ? [`строка оболочки, запустившей программу, помечена \`${SHELL_MARK.ru}\``] : []),
  ];
  return [
    `Your programs’ terminals: each line, as the lab that ran them logged it, servers first${en.length > 0 ? `; ${en.join('; ')}` : ''}.`,
    `Терминалы ваших программ: каждая строка так, как её записал стенд, запускавший их, сначала серверы${ru.length > 0 ? `; ${ru.join('; ')}` : ''}.`,
  ];
}

/** What a student's own program printed, as its terminal showed it (stderr marked). */
function ownConsole(c: Ctx, run: OwnRun): Block[] {
  const { lang } = c;
  // The shell's line about the signal that ended the program ("Terminated") is not the program's.
  const shell = shellLine(run);
  const mark = (r: LogRecord) =>
    shell && r === run.output[shell.index]
      ? `${SHELL_MARK[lang]} `
      : str(r, 'stream') === 'stderr'
        ? '[stderr] '
        : '';
  const shown = bounded(
    run.output,
    lang,
    (r) =>
      `${mark(r)}${str(r, 'text') ?? ''}${
        unfinishedLine(run.output, r)
          ? L(
              lang,
              '  ← unfinished line (no newline after it): printed earlier, logged when the program ended',
              '  ← незаконченная строка (без перевода строки): напечатана раньше, в журнал попала при завершении программы',
            )
          : ''
      }`,
    (r) => str(r, 'stream') === 'stderr',
  );
  const role = OWN_ROLE_NAMES[lang][run.role as keyof (typeof OWN_ROLE_NAMES)['en']] ?? run.role;
  return [
    paragraph(prose`${strong(code(run.source))} (${role}${run.scenario ? `, ${run.scenario}` : ''})`),
    shown.length > 0
      ? codeBlock(shown.join('\n'), 'text')
      : P(lang, '(it printed nothing)', '(программа ничего не напечатала)'),
  ];
}

/** What each terminal showed, reconstructed from the logs. */
export function terminalsItem(c: Ctx): Block[] {
  const { lang, model } = c;
  const runs = own(c).runs;
  // Servers first, then clients, each in the order it started.
  const ownRunsShown = [
    ...runs.filter((r) => r.role.endsWith('-server')),
    ...runs.filter((r) => !r.role.endsWith('-server')),
  ];
  // Our programs' lines: our server when it ran at least one part, our clients when they ran.
  const labShown =
    !(replacedParts(c) >= 2 && runs.length > 0) ||
    model.echo.some((x) => x.connected) ||
    model.chat.some((x) => x.joined);
  return [
    heading(3, L(lang, 'What each terminal showed', 'Что показал терминал каждой программы')),
    ...(labShown
      ? [
          P(
            lang,
            'Reconstructed from each program’s log lines, not copied from the screen: the server’s console first (each of its log lines as the screen shows it, time, event and explanation), then each client’s lines (`>` marks a line the user typed or `--say` gave; its log lines, such as its disconnect, with time and event, as it prints them above the input line). The logs keep only the first 64 bytes of each portion, so a longer line appears here as its start, marked `…` with its size; the terminal itself showed it whole.',
            'Восстановлено по строкам журнала каждой программы, а не скопировано с экрана: сначала консоль сервера (каждая строка его журнала так, как её показывает экран: время, событие и пояснение), затем строки каждого клиента (`>` — строка, введённая пользователем или заданная `--say`; строки его журнала, например об отключении, — со временем и событием, как клиент печатает их над строкой ввода). Журналы хранят только первые 64 байта каждой порции, поэтому более длинная строка показана здесь началом, с пометкой `…` и размером; сам терминал показал её целиком.',
          ),
        ]
      : []),
    ...(ownRunsShown.length > 0 ? [P(lang, ...ownTerminalsIntro(ownRunsShown))] : []),
    ...serverConsole(c),
    ...ownRunsShown.flatMap((r) => ownConsole(c, r)),
    ...model.echo.filter((x) => x.connected).flatMap((s) => transcript(c, s)),
    ...model.chat.filter((x) => x.joined).flatMap((s) => transcript(c, s)),
  ];
}

export function extraTasks(c: Ctx): Block[] {
  return [
    heading(2, L(c.lang, 'Extra tasks', 'Дополнительные задания')),
    ...connectionsItem(c),
    ...exitItem(c),
    ...chatItem(c),
    ...terminalsItem(c),
  ];
}

/** Rows of the connections table for the student's own clients of a scenario. */
function ownRows(c: Ctx, scenario: string): Inline[][][] {
  const { model } = c;
  const rows: Inline[][][] = [];
  for (const s of model.ownEcho.filter((x) => x.scenario === scenario && x.connected)) {
    const accept = model.ownServer.get(s)?.[0];
    const seen = accept ? str(accept, 'peer') : s.server?.remote;
    rows.push([
      [code(s.program.label)],
      s.remote ? [code(s.remote)] : [text('-')],
      s.local ? [code(s.local)] : [text('-')],
      seen ? (accept ? [code(seen), text(' ('), ...cite(accept), text(')')] : [code(seen)]) : [text('-')],
      [text(whyFor(c, true, s.local, seen))],
    ]);
  }
  for (const x of own(c).chat.clients.filter((k) => k.run.scenario === scenario)) {
    const seen = x.seen ? str(x.seen, 'peer') : undefined;
    rows.push([
      prose`${code(x.run.source)} (${L(c.lang, 'chat', 'чат')})`,
      x.dialed ? [code(x.dialed)] : [text('-')],
      x.local ? [code(x.local)] : [text('-')],
      seen && x.seen ? [code(seen), text(' ('), ...cite(x.seen), text(')')] : [text('-')],
      [text(whyFor(c, x.sends.length > 0, x.local, seen))],
    ]);
  }
  return rows;
}

const previewOf = (r: LogRecord) => {
  const d = decodePreview(str(r, 'data') ?? '');
  return `${d.text}${d.truncated ? '…' : ''}`;
};

/** The chat when the students' programs ran it: members as the own server heard them, each datagram and its copies. */
function ownChat(c: Ctx): Block[] {
  const { lang } = c;
  const oc = own(c).chat;
  const out: Block[] = [];
  if (oc.members.length > 0) {
    const members = oc.members.map((m) => {
      const client = oc.clients.find((x) => x.seen && str(x.seen, 'peer') === m.peer);
      return prose`${code(m.peer)}${client ? prose` (${code(client.run.source)}, ${code(client.run.scenario ?? '-')})` : []}`;
    });
    out.push(
      P(
        lang,
        prose`Your chat server received datagrams (recvfrom) from ${count(lang, oc.members.length, { one: 'source', other: 'sources' })}: ${join(members)}; it made ${count(lang, oc.relays.length, { one: 'sendto() call', other: 'sendto() calls' })} to members, each putting one copy, a datagram, in the send queue.`,
        prose`Ваш чат-сервер получал дейтаграммы (recvfrom) от ${count(lang, oc.members.length, { one: 'источника', few: 'источников', many: 'источников', other: 'источника' })}: ${join(members)}; вызовов sendto() участникам: ${oc.relays.length}, каждый поставил одну копию — дейтаграмму — в очередь отправки.`,
      ),
    );
  }
  const rows: Array<{ t: number; row: Inline[][] }> = [];
  for (const x of oc.clients) {
    for (const send of x.sends) {
      const bytesOf = num(send, 'result') ?? 0;
      const data = str(send, 'data');
      const copies = oc.relays.filter(
        (r) =>
          num(r, 'result') === bytesOf &&
          str(r, 'data') === data &&
          Math.abs((num(r, 'at') ?? r.time) - (num(send, 'at') ?? send.time)) <= 2000,
      );
      const receivers = oc.clients
        .filter(
          (o) => o !== x && o.recvs.some((r) => num(r, 'result') === bytesOf && str(r, 'data') === data),
        )
        .map((o) => prose`${code(o.run.source)} (${code(o.run.scenario ?? '-')})`);
      rows.push({
        t: num(send, 'at') ?? send.time,
        row: [
          [text(clock(num(send, 'at') ?? send.time))],
          prose`${code(x.run.source)} (${code(x.run.scenario ?? '-')})`,
          [code(previewOf(send))],
          [text(bytesOf)],
          [text(copies.length)],
          receivers.length > 0 ? join(receivers) : [text('-')],
        ],
      });
    }
  }
  if (rows.length > 0)
    out.push(
      P(
        lang,
        'Each message your clients sent (their sendto(): one datagram each), the copies your server sent with the same bytes, and which of your clients read such a datagram (recvfrom):',
        'Каждое сообщение, отправленное вашими клиентами (их sendto(): по дейтаграмме), копии с теми же байтами, отправленные вашим сервером, и кто из ваших клиентов прочитал такую дейтаграмму (recvfrom):',
      ),
      table(
        [
          timeHeader(c),
          L(lang, 'from', 'от кого'),
          L(lang, 'text (start)', 'текст (начало)'),
          L(lang, 'bytes', 'байт'),
          L(lang, 'copies sent by your server', 'копий отправил ваш сервер'),
          L(lang, 'read by', 'кто прочитал'),
        ],
        rows.sort((a, b) => a.t - b.t).map((r) => r.row),
      ),
    );
  return out;
}
