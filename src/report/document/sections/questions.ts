/**
 * The seven control questions, each answered in general and then with this run's lines and
 * numbers; one function per question.
 */
import { count } from '../../../text/plural.js';
import { type EchoSession, numField as num, strField as str } from '../../aggregate.js';
import type { LogRecord } from '../../parse.js';
import { code, codeBlock, heading, join, prose } from '../build.js';
import type { Block, Inline } from '../model.js';
import { type Ctx, L, P, type Prose, bytes, callRef, cite, clock, ms, own, sumBytes } from './context.js';
import { WAIT_CALLS, ownServes } from '../../own-facts.js';
import { blockingMode } from '../../own-source.js';

function first(records: readonly LogRecord[], event: string, pred: (r: LogRecord) => boolean = () => true) {
  return records.find((r) => r.event === event && pred(r));
}

/** What several questions cite: the listening sockets, the accepted connections, the echo clients. */
export interface Facts {
  records: readonly LogRecord[];
  tcpListen: LogRecord | undefined;
  udpListen: LogRecord | undefined;
  accepts: LogRecord[];
  firstAccept: LogRecord | undefined;
  echoes: EchoSession[];
  relays: LogRecord[];
}

export function facts(c: Ctx): Facts {
  const { model } = c;
  const server = model.servers[0];
  const accepts = model.conns
    .map((x) => x.accepted)
    .filter((r): r is LogRecord => r !== undefined)
    .sort((a, b) => a.time - b.time);
  const records = model.timeline.records;
  return {
    records,
    tcpListen: server?.listening.find((r) => str(r, 'protocol') === 'tcp'),
    udpListen: server?.listening.find((r) => str(r, 'protocol') === 'udp'),
    accepts,
    firstAccept: accepts[0],
    echoes: model.echo.filter((s) => s.connected),
    relays: records.filter((r) => r.event === 'udp.message.relayed'),
  };
}

function question(c: Ctx, n: number, en: string, ru: string): Block {
  return heading(3, L(c.lang, `Question ${n}. ${en}`, `Вопрос ${n}. ${ru}`));
}

/** Q3's command; test/system/strace-q3.test.ts runs our server under exactly this trace. */
export const STRACE_TRACE = 'trace=epoll_pwait,accept4,read,write,writev';
export const STRACE_COMMAND = `strace -f -e ${STRACE_TRACE} npx socket-lab server --log-format json`;

const endpointOf = (r: LogRecord) => code(`${str(r, 'address')}:${num(r, 'port')}`);

export function q1(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(
      c,
      1,
      'How do client and server sockets differ?',
      'Чем отличаются клиентские и серверные сокеты?',
    ),
    p(
      'A server socket is bound to a known address and port and put into the listening state; it never carries data itself. Each accept() returns a new, connected socket for one client. The client calls connect() on its socket with the server’s address; unless the program called bind() first, the kernel picks the socket’s local address and a free (ephemeral) port.',
      'Серверный сокет привязывается к известному адресу и порту и переводится в состояние прослушивания; сам он данных не передаёт. Каждый вызов accept() возвращает новый, уже соединённый сокет для одного клиента. Клиент вызывает connect() на своём сокете с адресом сервера; если программа не вызвала перед этим bind(), локальный адрес сокета и свободный (эфемерный) порт выбирает ядро.',
    ),
  ];
  const { tcpListen, accepts } = f;
  if (tcpListen && accepts.length > 0) {
    // Each connection's server end, grouped: "of №1 and №3 is A, of №2 B". A socket listening on
    // 0.0.0.0 gives each connection the address its client dialed, so the addresses may differ.
    const byLocal = new Map<string, number[]>();
    for (const r of accepts) {
      const local = str(r, 'local') ?? '?';
      byLocal.set(local, [...(byLocal.get(local) ?? []), num(r, 'connId') ?? 0]);
    }
    const ids = accepts.map((r) => num(r, 'connId')).join(', ');
    const and = (l: 'en' | 'ru', ns: number[]) =>
      ns
        .map((n) => (l === 'en' ? `#${n}` : `№${n}`))
        .join(', ')
        .replace(/, ([^,]*)$/, l === 'en' ? ' and $1' : ' и $1');
    const groups = (l: 'en' | 'ru') =>
      join(
        [...byLocal].map(([local, ns], i) =>
          l === 'en'
            ? prose`${i === 0 ? '' : 'of '}${ns.length > 1 ? 'connections' : 'connection'} ${and(l, ns)}${i === 0 ? ' is' : ','} ${code(local)}`
            : prose`${i === 0 ? '' : 'у '}${ns.length > 1 ? 'соединений' : 'соединения'} ${and(l, ns)} — ${code(local)}`,
        ),
        '; ',
      );
    const ports = new Set([...byLocal.keys()].map((a) => a.slice(a.lastIndexOf(':') + 1)));
    const wildcard = ['0.0.0.0', '::'].includes(str(tcpListen, 'address') ?? '');
    const whyEn =
      ports.size === 1
        ? byLocal.size > 1 && wildcard
          ? ': one port, and the address is the one the connection’s packets arrived for (the client dialed it, or a DNAT router wrote it in; the listening socket is bound to ' +
            (str(tcpListen, 'address') ?? '') +
            ')'
          : ': the listening port, shared by every connection'
        : '';
    const whyRu =
      ports.size === 1
        ? byLocal.size > 1 && wildcard
          ? ': порт один, а адрес — тот, на который пришли пакеты соединения (его набрал клиент или подставил DNAT маршрутизатора; слушающий сокет привязан к ' +
            (str(tcpListen, 'address') ?? '') +
            ')'
          : ': это порт прослушивания, общий для всех соединений'
        : '';
    out.push(
      p(
        prose`In this run: the listening socket ${endpointOf(tcpListen)} (${cite(tcpListen)}); accept() gave ${count(lang, accepts.length, { one: 'connected socket', other: 'connected sockets' })}, numbered ${ids}; the server’s side of ${groups('en')}${whyEn}.`,
        prose`В этом запуске: слушающий сокет ${endpointOf(tcpListen)} (${cite(tcpListen)}); accept() вернул ${count(lang, accepts.length, { one: 'соединённый сокет', few: 'соединённых сокета', many: 'соединённых сокетов', other: 'соединённого сокета' })} (номера ${ids}); сторона сервера у ${groups('ru')}${whyRu}.`,
      ),
    );
    // The client's port comes from the client's own line (client.connected: the kernel chose it);
    // what the server saw comes from the server's line, and through a NAT router the two differ.
    const pairs = f.echoes.filter((s) => s.local && s.connected).slice(0, 4);
    for (const s of pairs) {
      const seen = s.server?.accepted;
      const same = seen && str(seen, 'remote') === s.local;
      // Say only what the router changed: MASQUERADE keeps the client's port unless it collides.
      const split = (a: string | undefined) => {
        const at = (a ?? '').lastIndexOf(':');
        return { host: (a ?? '').slice(0, at), port: (a ?? '').slice(at + 1) };
      };
      const mine = split(s.local);
      const theirs = split(seen ? str(seen, 'remote') : undefined);
      const changedEn =
        mine.port === theirs.port
          ? 'the address the router put in its place (the port kept)'
          : mine.host === theirs.host
            ? 'the port the router put in its place (the address kept)'
            : 'the address and port the router put in its place';
      const changedRu =
        mine.port === theirs.port
          ? 'адрес, подставленный маршрутизатором (порт сохранён)'
          : mine.host === theirs.host
            ? 'порт, подставленный маршрутизатором (адрес сохранён)'
            : 'адрес и порт, подставленные маршрутизатором';
      out.push(
        p(
          prose`${code(s.program.label)}: its own end was ${code(s.local ?? '?')}, address and ephemeral port chosen by its kernel (${cite(s.connected)})${seen ? (same ? prose`; the server saw the same ${code(str(seen, 'remote') ?? '?')} (${cite(seen)})` : prose`; the server saw ${code(str(seen, 'remote') ?? '?')} (${cite(seen)}): not the client’s end but ${changedEn}`) : prose`; the server’s line for it is not in the logs`}.`,
          prose`${code(s.program.label)}: его локальный конец соединения — ${code(s.local ?? '?')}, адрес и эфемерный порт выбрало ядро клиента (${cite(s.connected)})${seen ? (same ? prose`; сервер увидел тот же ${code(str(seen, 'remote') ?? '?')} (${cite(seen)})` : prose`; сервер увидел ${code(str(seen, 'remote') ?? '?')} (${cite(seen)}) — это не конец клиента, а ${changedRu}`) : prose`; строки сервера о нём в журналах нет`}.`,
        ),
      );
    }
  } else if (own(c).echoServer?.listen && (own(c).echoServer?.conns.length ?? 0) > 0) {
    const server = own(c).echoServer!;
    const accepts = server.conns.map((x) => x.accept);
    out.push(
      p(
        prose`In this run your server’s listening socket: ${callRef(server.listen)}; accept() returned ${count(lang, accepts.length, { one: 'connected socket', other: 'connected sockets' })}: ${join(accepts.map((a) => prose`${callRef(a)} ${L(lang, 'from', 'от')} ${code(str(a, 'peer') ?? '?')}`))}. The listening socket kept waiting for more; each returned socket carried one client’s data.`,
        prose`В этом запуске слушающий сокет вашего сервера: ${callRef(server.listen)}; accept() вернул ${count(lang, accepts.length, { one: 'соединённый сокет', few: 'соединённых сокета', many: 'соединённых сокетов', other: 'соединённого сокета' })}: ${join(accepts.map((a) => prose`${callRef(a)} от ${code(str(a, 'peer') ?? '?')}`))}. Слушающий сокет продолжал ждать новых клиентов, а каждый возвращённый сокет передавал данные одного клиента.`,
      ),
    );
    for (const x of server.conns.filter((k) => k.session?.own && k.session.local).slice(0, 4)) {
      const s = x.session!;
      // Where the trace shows the client's own end: its first call on that socket with `local`.
      const at = s.records.find((r) => str(r, 'local') === s.local);
      const atRef = at ? prose` (${cite(at)})` : '';
      out.push(
        p(
          prose`${code(s.program.label)}: its connect() ${callRef(s.connected)}; its own end ${code(s.local ?? '?')}${atRef} (address and ephemeral port chosen by its kernel); your server saw ${code(str(x.accept, 'peer') ?? '?')}.`,
          prose`${code(s.program.label)}: его connect() ${callRef(s.connected)}; локальный конец — ${code(s.local ?? '?')}${atRef} (адрес и эфемерный порт выбрало ядро клиента); ваш сервер увидел ${code(str(x.accept, 'peer') ?? '?')}.`,
        ),
      );
    }
  } else
    out.push(
      p('This run’s logs hold no accepted connection.', 'В журналах этого запуска нет принятых соединений.'),
    );
  return out;
}

export function q2(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(
      c,
      2,
      'How can text be sent over sockets?',
      'Как можно передавать через сокеты текстовую информацию?',
    ),
    p(
      'Sockets carry bytes, not characters: the sender encodes the text (here UTF-8, where a Cyrillic letter takes two bytes) and the receiver decodes it. TCP is a byte stream without message boundaries, so programs that exchange messages must agree how to find where each ends: by a delimiter, such as the newline `\\n` that ends each typed line, or by a length sent ahead. An echo needs neither: the server returns the bytes as they come, and a client that knows how many bytes it wrote reads until as many have come back. A UDP datagram keeps its boundaries: one chat message is one datagram.',
      'Сокеты передают байты, а не символы: отправитель кодирует текст (здесь в UTF-8, где кириллическая буква занимает два байта), получатель декодирует. TCP — поток байтов без границ сообщений, поэтому программы, которые обмениваются сообщениями, должны договориться, как найти конец каждого: по разделителю, например по символу перевода строки `\\n`, которым заканчивается каждая введённая строка, или по длине, переданной заранее. Эху не нужно ни то, ни другое: сервер возвращает байты по мере поступления, а клиент, который знает, сколько байт записал, читает, пока столько же не вернётся. Дейтаграмма UDP свои границы сохраняет: одно сообщение чата — одна дейтаграмма.',
    ),
  ];
  const cyr = f.relays.find((r) => /[^\x00-\x7f]/.test(str(r, 'preview') ?? ''));
  if (cyr) {
    const text = str(cyr, 'preview') ?? '';
    const size = bytes(lang, num(cyr, 'bytes') ?? 0);
    out.push(
      p(
        prose`In this run the chat message ${code(text)} has ${[...text].length} characters and took **${size}** (${cite(cyr)}).`,
        prose`В этом запуске сообщение чата ${code(text)} состоит из ${count(lang, [...text].length, { one: 'символа', few: 'символов', many: 'символов', other: 'символа' })} и заняло **${size}** (${cite(cyr)}).`,
      ),
    );
  }
  const split = f.records.find(
    (r) => r.event === 'tcp.data.received' && (str(r, 'preview') ?? '').startsWith('\uFFFD'),
  );
  if (split)
    out.push(
      p(
        prose`Portion #${num(split, 'portion') ?? '?'} of connection ${num(split, 'connId') ?? '?'} begins in the middle of a letter (${cite(split)}): the bytes were cut where the portion ended, which is why a receiver must decode the whole line, not each piece.`,
        prose`Порция №${num(split, 'portion') ?? '?'} соединения ${num(split, 'connId') ?? '?'} начинается с середины буквы (${cite(split)}): байты разрезаны там, где кончилась порция, поэтому получатель должен декодировать строку целиком, а не каждый кусок.`,
      ),
    );
  else if (!cyr && own(c).nonAscii) {
    const t = own(c).nonAscii!;
    out.push(
      p(
        prose`In this run the line ${code(t.text)} (${cite(t.record)}) has ${t.chars} characters and takes **${bytes(lang, t.bytes)}** in UTF-8${t.call ? prose`; with its newline your program wrote it with ${callRef(t.call)}` : ''}.`,
        prose`В этом запуске строка ${code(t.text)} (${cite(t.record)}) состоит из ${count(lang, t.chars, { one: 'символа', few: 'символов', many: 'символов', other: 'символа' })} и занимает **${bytes(lang, t.bytes)}** в UTF-8${t.call ? prose`; вместе с переводом строки ваша программа записала её вызовом ${callRef(t.call)}` : ''}.`,
      ),
    );
  } else if (!cyr)
    out.push(
      p(
        'No line of this run held non-ASCII text. To see a letter take two bytes, type a Cyrillic word into a client.',
        'Ни одна строка этого запуска не содержала символов вне ASCII. Чтобы увидеть, что буква занимает два байта, введите в клиенте слово кириллицей.',
      ),
    );
  return out;
}

export function q3(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  // Node's way is the lab server's: when the student's server served, say whose it is.
  const theirs = ownServes(c.model, own(c));
  // The lab server's non-blocking sockets are what strace shows for it (test/system/strace-q3.test.ts
  // checks it), not evidence of this run: say so, and say nothing of it when it did not serve.
  const node = theirs
    ? { en: '', ru: '' }
    : {
        en: ' The lab’s server (Node) does not wait in them: strace shows it putting every socket in non-blocking mode and waiting for all of them at once in epoll_pwait() (libuv’s event loop on Linux; a system test of this project checks it). That is how this server is built; this run’s logs record no system calls.',
        ru: ' Сервер стенда (Node) так не блокируется: strace показывает, что он переводит все сокеты в неблокирующий режим и ждёт их все сразу в epoll_pwait() (цикл событий libuv в Linux; это проверяет системный тест проекта). Так устроен этот сервер; системных вызовов журналы этого запуска не записывают.',
      };
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(
      c,
      3,
      'Which socket operations block the program?',
      'Какие операции с сокетами блокируют выполнение программы?',
    ),
    p(
      `On a blocking socket: accept() (until a client connects), connect() (until the handshake ends), recv()/read() and recvfrom() (until data arrives), send()/write() (until all the data fits into the kernel’s send buffer).${node.en}`,
      `На блокирующем сокете: accept() (пока не подключится клиент), connect() (пока не завершится рукопожатие), recv()/read() и recvfrom() (пока не придут данные), send()/write() (пока все данные не поместятся в буфер отправки ядра).${node.ru}`,
    ),
  ];
  const ownServer = theirs ? own(c).echoServer : undefined;
  if (ownServer) {
    out.push(...ownWaits(c, ownServer));
    return out;
  }
  const { tcpListen, firstAccept } = f;
  if (tcpListen && firstAccept) {
    const wait = ms(lang, firstAccept.time - tcpListen.time);
    out.push(
      p(
        prose`In this run the server began listening at ${clock(tcpListen.time)} (${cite(tcpListen)}) and its first client connected at ${clock(firstAccept.time)} (${cite(firstAccept)}): **${wait}**. A blocking server would have sat in accept() all that time; this one, by the way it is built (above), waited in epoll_pwait(), free to serve the UDP chat meanwhile.`,
        prose`В этом запуске сервер начал слушать в ${clock(tcpListen.time)} (${cite(tcpListen)}), а первый клиент подключился в ${clock(firstAccept.time)} (${cite(firstAccept)}): **${wait}**. Блокирующий сервер всё это время провёл бы в accept(); этот, как он устроен (см. выше), ждал в epoll_pwait() и мог тем временем обслуживать чат UDP.`,
      ),
    );
  }
  const waits = f.echoes
    .map((s) => {
      const sent = first(s.records, 'client.data.sent');
      const got = first(s.records, 'client.data.received');
      return sent && got ? { s, sent, got } : undefined;
    })
    .filter((x) => x !== undefined);
  if (waits.length > 0) {
    const listEn = join(
      waits.map(
        (w) => prose`${code(w.s.program.label)} ${ms(lang, w.got.time - w.sent.time)} (${cite(w.got)})`,
      ),
    );
    const listRu = join(
      waits.map(
        (w) => prose`${code(w.s.program.label)} — ${ms(lang, w.got.time - w.sent.time)} (${cite(w.got)})`,
      ),
    );
    out.push(
      p(
        prose`Each echo client waited for its first echo (from its first write to its first read): ${listEn}. A blocking client sits in recv() during that time.`,
        prose`Каждый эхо-клиент ждал первого эха (от первой записи до первого чтения): ${listRu}. Блокирующий клиент всё это время находится в recv().`,
      ),
    );
  }
  out.push(
    p(
      'The logs record events, not system calls; to watch the server wait, trace it (needs `strace`): the lines `epoll_pwait(...)` are the waits, `accept4(...)` the accepted connections, `read`/`write`/`writev` the data.',
      'Журналы записывают события, а не системные вызовы; чтобы увидеть, как сервер ждёт, трассируйте его (нужен `strace`): строки `epoll_pwait(...)` — ожидание, `accept4(...)` — принятые соединения, `read`/`write`/`writev` — данные.',
    ),
    codeBlock(STRACE_COMMAND, 'sh'),
  );
  return out;
}

export function q4(c: Ctx, f: Facts): Block[] {
  const { lang, model } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(c, 4, 'What are non-blocking sockets?', 'Что такое неблокирующие сокеты?'),
    p(
      'A socket in non-blocking mode never makes a call wait: if no client, data or buffer space is ready, accept(), recv() or send() fails at once: in C it returns −1 with errno EAGAIN/EWOULDBLOCK (connect() with EINPROGRESS); in Python the call raises BlockingIOError with that errno. A send() that finds only some room in the buffer takes what fits and returns that count, in Python too. A socket becomes non-blocking with `fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)`, which keeps its other flags (or `SOCK_NONBLOCK` in socket()/accept4()); in Python, `sock.setblocking(False)`. The program then asks select(), poll() or epoll which sockets are ready, and one thread serves many connections.',
      'Сокет в неблокирующем режиме никогда не заставляет вызов ждать: если клиента, данных или места в буфере нет, accept(), recv() или send() завершаются сразу с ошибкой: в C возвращают −1, errno = EAGAIN/EWOULDBLOCK (connect() — EINPROGRESS), а в Python вызов выбрасывает исключение BlockingIOError с тем же errno. Если в буфере отправки есть место только для части данных, send() берёт столько, сколько помещается, и возвращает это число — в Python тоже. Неблокирующим сокет делает `fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)` — так остальные флаги сохраняются (или флаг `SOCK_NONBLOCK` в socket()/accept4()); в Python — `sock.setblocking(False)`. Затем программа спрашивает у select(), poll() или epoll, какие сокеты готовы, и один поток обслуживает много соединений.',
    ),
  ];
  if (own(c).runs.length > 0) out.push(...ownBlocking(c));
  const ownServer = ownServes(model, own(c)) ? own(c).echoServer : undefined;
  if (ownServer) {
    out.push(...ownConcurrency(c, ownServer));
    return out;
  }
  const server = model.servers[0];
  const pids = [...new Set((server?.program.records ?? []).map((r) => r.pid))].join(', ');
  const maxOpen = f.accepts.reduce((m, r) => Math.max(m, num(r, 'open') ?? 0), 0);
  const openLine = cite(f.accepts.find((r) => num(r, 'open') === maxOpen));
  if (server) {
    const members = model.members.length;
    out.push(
      p(
        prose`In this run one server process (pid ${pids} in its container) served ${count(lang, f.accepts.length, { one: 'TCP connection', other: 'TCP connections' })} and ${count(lang, members, 'member')} of the chat in one thread; at most ${maxOpen} TCP ${maxOpen === 1 ? 'connection was' : 'connections were'} open at once (the \`open\` field of ${openLine}).`,
        prose`В этом запуске один процесс сервера (pid ${pids} в его контейнере) в одном потоке обслужил ${count(lang, f.accepts.length, { one: 'TCP-соединение', few: 'TCP-соединения', many: 'TCP-соединений', other: 'TCP-соединения' })} и ${count(lang, members, 'member')} чата; одновременно было открыто не больше ${count(lang, maxOpen, { one: 'TCP-соединения', other: 'TCP-соединений' })} (поле \`open\` в ${openLine}).`,
      ),
    );
    if (maxOpen <= 1)
      out.push(
        p(
          'So this run shows no multiplexing of TCP connections: the clients came one after another, and a blocking server with one accept() loop would have served them too. To see one thread serve several connections at once, keep one client open and start another.',
          'Поэтому мультиплексирования TCP-соединений этот запуск не показывает: клиенты подключались по очереди, и их обслужил бы и блокирующий сервер с одним циклом accept(). Чтобы увидеть, как один поток обслуживает несколько соединений сразу, оставьте один клиент подключённым и запустите второй.',
        ),
      );
  }
  const bp = f.records.filter((r) => r.event === 'tcp.backpressure');
  if (bp.length > 0) {
    const at = clock(bp[0]?.time ?? 0);
    out.push(
      p(
        prose`The server paused reading a client whose echo piled up in Node’s own send queue (over its high-water mark, because the kernel’s send buffer was full): ${count(lang, bp.length, 'line')} \`tcp.backpressure\`, the first at ${at} (${cite(bp[0])}).`,
        prose`Сервер приостанавливал чтение клиента, эхо которого копилось в собственной очереди отправки Node (сверх её порога, потому что буфер отправки ядра был заполнен): ${count(lang, bp.length, 'line')} \`tcp.backpressure\`, первая в ${at} (${cite(bp[0])}).`,
      ),
    );
  } else {
    out.push(
      p(
        'No `tcp.backpressure` line in this run: Node’s own send queue never grew past its high-water mark. That says nothing about each write() — a write to a non-blocking socket may take only part of the data, and Node keeps the rest queued. To see the queue grow, run the server with `--log-level debug` and a client that sends 16 MiB without reading:',
        'Строк `tcp.backpressure` в этом запуске нет: собственная очередь отправки Node ни разу не превысила свой порог. О каждом write() это ничего не говорит — запись в неблокирующий сокет может принять только часть данных, остальное Node держит в очереди. Чтобы увидеть, как очередь растёт, запустите сервер с `--log-level debug` и клиента, который отправляет 16 МиБ и ничего не читает:',
      ),
      codeBlock(
        [
          'npx socket-lab server --log-level debug --log-format json &',
          `node -e "const s=require('net').connect(7007,'127.0.0.1',()=>{s.pause();for(let i=0;i<16;i++)s.write(Buffer.alloc(1<<20,120))})"`,
        ].join('\n'),
        'sh',
      ),
    );
  }
  return out;
}

export function q5(c: Ctx, f: Facts): Block[] {
  const { lang, model } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(
      c,
      5,
      'Advantages and drawbacks of TCP compared with UDP?',
      'В чем преимущества и недостатки использования TCP по сравнению с UDP?',
    ),
    p(
      'TCP gives an ordered, reliable byte stream: lost segments are sent again, bytes arrive in order, the receiver’s window limits the sender (flow control), and congestion control (slow start, the congestion window) slows the sender down when the network drops packets. The price: a three-way handshake before the first byte, a connection state on both ends, a header of at least 20 bytes per segment, no message boundaries, and one lost segment holds back everything after it. UDP sends single datagrams with an 8-byte header, no connection, no delivery guarantee, no order and no congestion control (the application must not flood the network itself), but each datagram keeps its boundaries, costs no handshake, and only UDP can be sent to a broadcast or multicast address. Neither TCP nor UDP notices by itself that the peer has vanished: TCP finds out only when it sends (its retransmissions go unanswered until it gives up) or with keepalive switched on, and over UDP only the application can notice, by its own timeout.',
      'TCP даёт упорядоченный надёжный поток байтов: потерянные сегменты передаются повторно, байты приходят по порядку, окно получателя ограничивает отправителя (управление потоком), а управление перегрузкой (медленный старт, окно перегрузки) замедляет отправителя, когда сеть теряет пакеты. Цена: тройное рукопожатие до первого байта, состояние соединения на обоих концах, заголовок не меньше 20 байт в каждом сегменте, нет границ сообщений, а один потерянный сегмент задерживает всё, что за ним. UDP отправляет отдельные дейтаграммы с заголовком 8 байт, без соединения, без гарантии доставки и порядка и без управления перегрузкой (не перегружать сеть должно само приложение), зато каждая дейтаграмма сохраняет границы, рукопожатие не нужно, и только UDP можно отправить на широковещательный или групповой адрес. Ни TCP, ни UDP сами по себе не замечают исчезновения собеседника: TCP узнаёт об этом, только когда отправляет данные (повторные передачи остаются без ответа, пока он не сдастся) или при включённом keepalive, а в UDP это может заметить только само приложение — по своему тайм-ауту.',
    ),
  ];
  const closed = model.conns.map((x) => x.closed).filter((r): r is LogRecord => r !== undefined);
  if (f.echoes.length > 0) {
    const s = f.echoes[0] as EchoSession;
    const d = s.disconnected;
    const inAll = closed.reduce((n, r) => n + (num(r, 'bytesIn') ?? 0), 0);
    const outAll = closed.reduce((n, r) => n + (num(r, 'bytesOut') ?? 0), 0);
    const endEn: Inline[] = d
      ? prose`ended having handed ${bytes(lang, num(d, 'bytesSent') ?? 0)} to its socket and read ${bytes(lang, num(d, 'bytesReceived') ?? 0)} back (${cite(d)})`
      : prose`left no final counts`;
    const endRu: Inline[] = d
      ? prose`в итоге передал в сокет ${bytes(lang, num(d, 'bytesSent') ?? 0)} и прочитал обратно ${bytes(lang, num(d, 'bytesReceived') ?? 0)} (${cite(d)})`
      : prose`итоговых счётчиков не оставил`;
    out.push(
      p(
        prose`TCP in this run: ${code(s.program.label)} completed the handshake before sending anything (${cite(s.connected)}) and ${endEn}; across all connections the server read ${bytes(lang, inAll)} and its kernel accepted ${bytes(lang, outAll)} of echo for sending.`,
        prose`TCP в этом запуске: ${code(s.program.label)} завершил рукопожатие прежде, чем что-либо отправить (${cite(s.connected)}), и ${endRu}; по всем соединениям сервер прочитал ${bytes(lang, inAll)}, а ядро сервера приняло к отправке ${bytes(lang, outAll)} эха.`,
      ),
    );
  }
  const sentMsgs = f.records.filter((r) => r.event === 'chat.message.sent');
  if (sentMsgs.length > 0) {
    const copies = f.relays.reduce((n, r) => n + (num(r, 'recipients') ?? 0), 0);
    const cookie = first(f.records, 'udp.cookie.sent');
    const sizes = sentMsgs.map((r) => num(r, 'bytes')).join(', ');
    const cookieSize = cookie ? bytes(lang, num(cookie, 'bytes') ?? 0) : '';
    out.push(
      p(
        prose`UDP: ${count(lang, sentMsgs.length, 'message')} of the chat, each one datagram (${sizes} bytes of text, ${cite(sentMsgs[0])}); the server sent them on as ${count(lang, copies, 'datagram')}, one copy per other member (a broadcast would not cross the router between the lab’s networks). No handshake in UDP itself: the chat adds its own (HELLO, COOKIE${cookie ? ` of ${cookieSize}` : ''}, JOIN, WELCOME) so that the server relays messages only to addresses that proved they receive its datagrams, and answers an address not yet proven with no more bytes than it received from it (the COOKIE is no longer than the HELLO).`,
        prose`UDP: ${count(lang, sentMsgs.length, 'message')} чата, каждое одной дейтаграммой (размер текста в байтах: ${sizes}; ${cite(sentMsgs[0])}); сервер разослал их как ${count(lang, copies, 'datagram')}, по копии каждому из остальных участников (широковещательная рассылка не прошла бы через маршрутизатор между сетями стенда). В самом UDP рукопожатия нет: чат добавляет своё (HELLO, COOKIE${cookie ? ` размером ${cookieSize}` : ''}, JOIN, WELCOME), чтобы сервер пересылал сообщения только на адреса, которые доказали, что получают его дейтаграммы, а адресу, ещё не доказавшему этого, отвечал не большим числом байтов, чем получил от него (COOKIE не длиннее HELLO).`,
      ),
    );
  }
  out.push(...chatLiveness(c, f), ...ownUndelivered(c), ...ownDelivery(c));
  const mult = model.echo.find((s) =>
    (c.lines.get(s) ?? []).some(
      (l) => l.writes.length > 1 && l.reads.length > 0 && l.reads.length !== l.writes.length,
    ),
  );
  const ml = mult
    ? (c.lines.get(mult) ?? []).find((l) => l.writes.length > 1 && l.reads.length !== l.writes.length)
    : undefined;
  if (ml && mult) {
    const reads = ml.reads.map((r) => num(r, 'bytes') ?? 0);
    out.push(
      p(
        prose`No boundaries in TCP: ${code(mult.program.label)} wrote one line with ${ml.writes.length} write() calls and read it back with ${ml.reads.length === 1 ? 'one read' : `${ml.reads.length} reads`} (${sumBytes(lang, reads)}).`,
        prose`Границ сообщений в TCP нет: ${code(mult.program.label)} ${ml.writes.length === 2 ? 'дважды вызвал write()' : `вызвал write() ${count(lang, ml.writes.length, { one: 'раз', few: 'раза', many: 'раз', other: 'раза' })}`}, чтобы записать одну строку, а эхо прочитал за ${ml.reads.length === 1 ? 'одно чтение' : count(lang, ml.reads.length, { one: 'чтение', few: 'чтения', many: 'чтений', other: 'чтения' })} (${sumBytes(lang, reads)}).`,
      ),
    );
  }
  out.push(...(c.extras[5] ?? []));
  return out;
}

/**
 * The student's chat server: the datagrams it received and sent on to nobody (no sendto() before
 * its next recvfrom()): delivered to the server, not lost, and not sent on by its design when no
 * other member had written to it yet (the cause said only when the trace shows it).
 */
function ownUndelivered(c: Ctx): Block[] {
  const { lang } = c;
  const chat = own(c).chat;
  if (chat.received.length === 0) return [];
  const t = (r: LogRecord) => num(r, 'at') ?? r.time;
  const recv = [...chat.received].sort((a, b) => t(a) - t(b));
  const none = recv.filter((r, i) => {
    const next = recv[i + 1];
    return !chat.relays.some((w) => t(w) >= t(r) && (!next || t(w) < t(next)));
  });
  if (none.length === 0) return [];
  // Said only when the trace shows it: no other source had been heard from before each of them.
  const alone = none.every((r) => !chat.members.some((m) => m.peer !== str(r, 'peer') && t(m.first) < t(r)));
  const n = recv.length;
  const k = none.length;
  const the = callRef(none[0]!);
  return [
    P(
      lang,
      alone
        ? prose`Your chat server received ${count(lang, n, 'datagram')} (its recvfrom() returned ${n === 1 ? 'it' : 'each'}). It sent ${k === 1 ? 'one' : k} of them on to nobody (no sendto() after its recvfrom(), e.g. ${the}): before ${k === 1 ? 'it' : 'each of them'} the server had received no datagram from any other address, so no other member had made itself known yet. The network lost nothing there: that is how the relay works (it sends a message on to the members it already knows), and a relay over TCP with no other client connected yet would not send ${k === 1 ? 'it' : 'them'} on either.`
        : prose`Your chat server received ${count(lang, n, 'datagram')} (its recvfrom() returned ${n === 1 ? 'it' : 'each'}). It sent ${k === 1 ? 'one' : k} of them on to nobody (no sendto() after its recvfrom(), e.g. ${the}); the network did not lose ${k === 1 ? 'it' : 'them'}: whether to send a datagram on is up to the server’s code.`,
      alone
        ? prose`Ваш чат-сервер получил ${n === 1 ? 'одну дейтаграмму' : count(lang, n, 'datagram')} (${n === 1 ? 'её' : 'каждую'} вернул его recvfrom()). ${k === 1 ? 'Одну' : k} из них он никому не переслал (после recvfrom() не было sendto(), например ${the}): до ${k === 1 ? 'неё' : 'каждой из них'} сервер не получил ни одной дейтаграммы с другого адреса, то есть ни один другой участник ещё не дал о себе знать. Сеть здесь ничего не потеряла: так устроен ретранслятор (он пересылает сообщение тем участникам, которых уже знает), и ретранслятор поверх TCP, к которому ещё не подключился никто другой, тоже не переслал бы ${k === 1 ? 'её' : 'их'}.`
        : prose`Ваш чат-сервер получил ${n === 1 ? 'одну дейтаграмму' : count(lang, n, 'datagram')} (${n === 1 ? 'её' : 'каждую'} вернул его recvfrom()). ${k === 1 ? 'Одну' : k} из них он никому не переслал (после recvfrom() не было sendto(), например ${the}); сеть ${k === 1 ? 'её' : 'их'} не теряла: пересылать ли дейтаграмму, решает код сервера.`,
    ),
  ];
}

/**
 * How the lab's chat notices a vanished member, said only when the lab's chat server ran: its
 * clients' 4-byte PINGs, and a removal after a timeout only when the run shows one.
 */
function chatLiveness(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  if (!f.records.some((r) => r.event === 'udp.member.joined')) return [];
  const timedOut = f.records.find(
    (r) => r.event === 'udp.member.left' && ['timeout', 'silent'].includes(str(r, 'reason') ?? ''),
  );
  const removed: [Prose, Prose] = timedOut
    ? [
        prose`In this run it removed ${code(str(timedOut, 'member') ?? '?')} that way (${cite(timedOut)}).`,
        prose`В этом запуске так был удалён ${code(str(timedOut, 'member') ?? '?')} (${cite(timedOut)}).`,
      ]
    : [
        prose`In this run its log shows no member removed that way.`,
        prose`В этом запуске в его журнале нет ни одного участника, удалённого так.`,
      ];
  return [
    P(
      lang,
      prose`The lab’s chat notices a vanished member itself: each of its clients sends a 4-byte datagram \`PING\` about every 5 s (the 4-byte datagrams in the UDP tables of “On the wire”), and the server removes a member it has heard nothing from for its timeout (15 s by default). ${removed[0]}`,
      prose`Исчезнувшего участника чат стенда замечает сам: каждый его клиент примерно раз в 5 с отправляет дейтаграмму \`PING\` размером 4 байта (4-байтовые дейтаграммы в таблицах UDP раздела «В сети»), а сервер удаляет участника, от которого за время тайм-аута (по умолчанию 15 с) ничего не пришло. ${removed[1]}`,
    ),
  ];
}

export function q6(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(
      c,
      6,
      'Which socket system calls are used only on the server side?',
      'Какие системные вызовы, связанные с сокетами, используются только на стороне сервера?',
    ),
    p(
      'listen() and accept() — only a TCP server uses them. bind() is typical of servers (a known port), but a client may call it too, and of the server calls a UDP server uses bind() only: it has no listen() or accept(), it answers with sendto() to the address recvfrom() gave. socket(), send()/recv() and close() are used on both sides; connect() is the TCP client’s (a UDP socket may call it too, to fix its peer’s address).',
      'listen() и accept() — их использует только TCP-сервер. bind() типичен для сервера (известный порт), но его может вызвать и клиент, а из серверных вызовов UDP-сервер использует только bind(): у него нет listen() и accept(), он отвечает через sendto() на адрес, который вернул recvfrom(). socket(), send()/recv() и close() встречаются на обеих сторонах; connect() — вызов TCP-клиента (UDP-сокет тоже может его вызвать, чтобы закрепить адрес собеседника).',
    ),
  ];
  const udpConnect = own(c)
    .chat.clients.flatMap((x) => x.run.calls)
    .find((r) => str(r, 'call') === 'connect' && str(r, 'type') === 'udp' && (num(r, 'result') ?? -1) === 0);
  if (udpConnect)
    out.push(
      p(
        prose`In this run your chat client called connect() on its UDP socket: ${callRef(udpConnect)}.`,
        prose`В этом запуске ваш чат-клиент вызвал connect() для своего UDP-сокета: ${callRef(udpConnect)}.`,
      ),
    );
  const { tcpListen, udpListen, firstAccept, echoes } = f;
  if (tcpListen) {
    const udp = udpListen;
    const client = echoes[0]?.connected;
    out.push(
      p(
        prose`In this run: bind() + listen() on ${endpointOf(tcpListen)} at ${clock(tcpListen.time)} (${cite(tcpListen)})${udp ? prose`; bind() only for UDP on ${endpointOf(udp)} (${cite(udp)})` : []}${firstAccept ? prose`; accept() at ${clock(firstAccept.time)} (${cite(firstAccept)})` : []}${client ? prose`; the client made none of these: it called connect() (${cite(client)})` : []}.`,
        prose`В этом запуске: bind() + listen() на ${endpointOf(tcpListen)} в ${clock(tcpListen.time)} (${cite(tcpListen)})${udp ? prose`; для UDP только bind() на ${endpointOf(udp)} (${cite(udp)})` : []}${firstAccept ? prose`; accept() в ${clock(firstAccept.time)} (${cite(firstAccept)})` : []}${client ? prose`; клиент ни одного из этих вызовов не делал: он вызвал connect() (${cite(client)})` : []}.`,
      ),
    );
  }
  return out;
}

export function q7(c: Ctx, f: Facts): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out = [
    question(c, 7, 'At which OSI layer do sockets work?', 'На каком уровне модели OSI работают сокеты?'),
    p(
      'Sockets are the interface to the transport layer, layer 4 of OSI: the program chooses the transport protocol (TCP or UDP) and names the address (layer 3) and the port (layer 4) of the other end; the transport layer and everything below it — IP routing, Ethernet frames — the kernel and the network do. The socket itself is not a protocol of any layer: it is the boundary between the application above and the transport layer below. Other socket kinds give access to lower layers: raw sockets (SOCK_RAW) to the network layer (IP, layer 3), packet sockets (AF_PACKET) to the link layer (layer 2); the lab’s TCP and UDP sockets are layer-4 interfaces.',
      'Сокеты — интерфейс транспортного уровня, 4-го уровня модели OSI: программа выбирает транспортный протокол (TCP или UDP) и указывает адрес (3-й уровень) и порт (4-й уровень) другой стороны; сам транспортный уровень и всё, что ниже, — маршрутизацию IP, кадры Ethernet — выполняют ядро и сеть. Сокет сам не протокол какого-либо уровня: это граница между приложением сверху и транспортным уровнем снизу. Другие виды сокетов дают доступ к более низким уровням: «сырые» сокеты (SOCK_RAW) — к сетевому (IP, 3-й уровень), пакетные сокеты (AF_PACKET) — к канальному (2-й уровень); сокеты TCP и UDP в этой лабораторной — интерфейсы 4-го уровня.',
    ),
  ];
  const a = f.firstAccept;
  if (a) {
    const ends = prose`${code(str(a, 'remote') ?? '?')} → ${code(str(a, 'local') ?? '?')}, ${cite(a)}`;
    out.push(
      p(
        prose`This run’s lines speak of exactly that: addresses and ports (${ends}), byte counts and datagrams; no MAC address or frame appears in them.`,
        prose`Строки этого запуска говорят именно об этом: адреса и порты (${ends}), счётчики байтов и дейтаграммы; MAC-адресов и кадров в них нет.`,
      ),
    );
  }
  return out;
}

/** The seven questions, in order. */
export function questions(c: Ctx): Block[] {
  const f = facts(c);
  return [
    heading(2, L(c.lang, 'Control questions', 'Контрольные вопросы')),
    ...[q1, q2, q3, q4, q5, q6, q7].flatMap((q) => q(c, f)),
  ];
}

type OwnServer = NonNullable<ReturnType<typeof own>['echoServer']>;

/** Q3 for the student's server: the waiting call its trace shows. */
function ownWaits(c: Ctx, server: OwnServer): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const out: Block[] = [];
  const w = [...server.waits].sort((a, b) => b.count - a.count)[0];
  const firstAccept = server.conns[0]?.accept;
  if (w) {
    const asked = WAIT_CALLS[w.call] ?? w.call;
    const dur = num(w.first, 'durationMs');
    const viaEn = asked === w.call ? '' : ` (the system call behind ${asked}() on Linux)`;
    const viaRu = asked === w.call ? '' : ` (системный вызов, которым в Linux выполняется ${asked}())`;
    out.push(
      p(
        prose`Your server’s trace shows it waited in **${w.call}()**${viaEn}, ${count(lang, w.count, { one: 'call', other: 'calls' })}; the first, ${callRef(w.first)}, waited ${dur !== undefined ? ms(lang, dur) : '?'} and returned when a socket it watched was ready${firstAccept ? prose`; the accept() after it, ${callRef(firstAccept)}, then returned at once` : ''}. In ${w.call}() it waits on all its sockets at once until at least one of them is ready, so no single accept() or recv() held it; the accept() and recv() it then called did not wait, because ${w.call}() had said those sockets were ready.`,
        prose`По трассировке ваш сервер ждал в **${w.call}()**${viaRu}, ${count(lang, w.count, { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' })}; первый, ${callRef(w.first)}, ждал ${dur !== undefined ? ms(lang, dur) : '?'} и вернулся, когда один из отслеживаемых сокетов стал готов${firstAccept ? prose`; следующий за ним accept(), ${callRef(firstAccept)}, вернулся сразу` : ''}. В ${w.call}() он ждёт сразу на всех своих сокетах, пока хотя бы один из них не станет готов, поэтому ни один accept() или recv() его не задерживал: вызванные затем accept() и recv() не ждали, потому что ${w.call}() уже сообщил, что эти сокеты готовы.`,
      ),
      p(
        prose`Its writes are another matter: ${w.call}() reporting a socket readable says nothing about room to write, and a send()/sendall() on a blocking socket waits until all its bytes fit into the kernel’s send buffer. So a client that stops reading its echo would, once its buffers fill, hold the whole loop in that write and with it every other client; a non-blocking socket, with ${asked}() asked for writability too, avoids that (on a blocking socket, writability only means some room in the send buffer, SO_SNDLOWAT bytes; a large send()/sendall() can still block).`,
        prose`С записью иначе: то, что ${w.call}() сообщил о готовности сокета к чтению, ничего не говорит о месте для записи, а send()/sendall() на блокирующем сокете ждёт, пока все его байты не поместятся в буфер отправки ядра. Поэтому клиент, который перестал читать эхо, мог бы, когда буферы заполнятся, остановить в этой записи весь цикл, а с ним и всех остальных клиентов; этого избегают неблокирующий сокет вместе с ожиданием в ${asked}() ещё и готовности к записи (на блокирующем сокете готовность к записи означает лишь немного места в буфере отправки — SO_SNDLOWAT байт, и большой send()/sendall() всё равно может заблокироваться).`,
      ),
    );
  } else if (server.workers.length > 1) {
    out.push(
      p(
        prose`Your server made no select()/poll()/epoll call: its accept() and recv() calls come from ${server.workers.length} threads or processes (ids ${server.workers.join(', ')}, as strace saw them in the server’s container), each blocking in its own call, so one waiting call stops only its own thread.`,
        prose`Ваш сервер не вызывал select()/poll()/epoll: его вызовы accept() и recv() сделаны в ${count(lang, server.workers.length, { one: 'потоке или процессе', other: 'потоках или процессах' })} (их номера в контейнере сервера, как их видел strace: ${server.workers.join(', ')}); каждый блокируется в своём вызове, поэтому ожидание останавливает только свой поток.`,
      ),
    );
  } else if (firstAccept) {
    const dur = num(firstAccept, 'durationMs');
    out.push(
      p(
        prose`Your server made no select()/poll()/epoll call and ran in one thread: it blocked in accept() (the first, ${callRef(firstAccept)}, waited ${dur !== undefined ? ms(lang, dur) : '?'}) and in recv(), and while it waited in one of them it served nobody else.`,
        prose`Ваш сервер не вызывал select()/poll()/epoll и работал в одном потоке: он блокировался в accept() (первый, ${callRef(firstAccept)}, ждал ${dur !== undefined ? ms(lang, dur) : '?'}) и в recv(), и пока ждал в одном из них, никого больше не обслуживал.`,
      ),
    );
  }
  return out;
}

/** Q4 for the student's server: how many connections it had open at once, and how it served them. */
function ownConcurrency(c: Ctx, server: OwnServer): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const w = [...server.waits].sort((a, b) => b.count - a.count)[0];
  // The most were open from the accept that reached it to the next close of a connection.
  const reached = server.maxOpenAt ? (num(server.maxOpenAt, 'at') ?? server.maxOpenAt.time) : undefined;
  const untilClose =
    reached === undefined
      ? undefined
      : server.conns
          .map((x) => x.close)
          .filter((r): r is LogRecord => r !== undefined && (num(r, 'at') ?? r.time) > reached)
          .sort((a, b) => (num(a, 'at') ?? a.time) - (num(b, 'at') ?? b.time))[0];
  const out: Block[] = [
    p(
      prose`In this run your server accepted ${count(lang, server.conns.length, { one: 'TCP connection', other: 'TCP connections' })}; by its accept() and close() calls, at most **${server.maxOpen}** ${server.maxOpen === 1 ? 'was' : 'were'} open at once${server.maxOpenAt ? prose`, exactly ${server.maxOpen} from ${callRef(server.maxOpenAt)}${untilClose ? prose` to ${callRef(untilClose)}` : ' to its end'}` : ''}. Its accept and data calls came from ${server.workers.length === 1 ? 'one thread' : `${server.workers.length} threads or processes`} (${server.workers.length === 1 ? 'its id' : 'ids'} in the server’s container, as strace saw ${server.workers.length === 1 ? 'it' : 'them'}: ${server.workers.join(', ')}).`,
      prose`В этом запуске ваш сервер принял ${count(lang, server.conns.length, { one: 'TCP-соединение', few: 'TCP-соединения', many: 'TCP-соединений', other: 'TCP-соединения' })}; по его вызовам accept() и close() одновременно было открыто самое большее **${server.maxOpen}**${server.maxOpenAt ? prose`, ровно столько — от ${callRef(server.maxOpenAt)}${untilClose ? prose` до ${callRef(untilClose)}` : ' до конца его работы'}` : ''}. Вызовы accept() и чтения/записи сделаны ${server.workers.length === 1 ? 'в одном потоке' : `в ${count(lang, server.workers.length, { one: 'потоке или процессе', other: 'потоках или процессах' })}`} (${server.workers.length === 1 ? 'его номер' : 'их номера'} в контейнере сервера, как ${server.workers.length === 1 ? 'его' : 'их'} видел strace: ${server.workers.join(', ')}).`,
    ),
  ];
  if (w && server.workers.length === 1 && server.maxOpen > 1)
    out.push(
      p(
        prose`So one thread served several connections at once: it asked ${WAIT_CALLS[w.call] ?? w.call}() (${code(w.call)} in the trace) which sockets were ready and then called accept() or recv() on those. That is multiplexing, the job non-blocking sockets are usually paired with; select() itself works on blocking and non-blocking sockets alike.`,
        prose`Значит, один поток обслуживал несколько соединений одновременно: он спрашивал у ${WAIT_CALLS[w.call] ?? w.call}() (в трассировке — ${code(w.call)}), какие сокеты готовы, и затем вызывал accept() или recv() для них. Это мультиплексирование — то, вместе с чем обычно используют неблокирующие сокеты; сам select() работает и с блокирующими, и с неблокирующими сокетами.`,
      ),
    );
  else if (server.maxOpen <= 1)
    out.push(
      p(
        'So this run shows no two connections open at once. To see how your server serves them, keep one client connected and start another.',
        'Поэтому двух одновременно открытых соединений этот запуск не показывает. Чтобы увидеть, как ваш сервер их обслуживает, оставьте один клиент подключённым и запустите второй.',
      ),
    );
  return out;
}

/** Calls of the own programs that failed because a non-blocking socket was not ready. */
const NOT_READY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINPROGRESS']);

/**
 * Whether the student's sockets were blocking, said plainly: from the trace (a call that failed with
 * EAGAIN happens only on a non-blocking socket) and from the code that ran (setblocking(False) and
 * the like; Python sets the mode with an ioctl the trace does not record); unknown when neither shows it.
 */
function ownBlocking(c: Ctx): Block[] {
  const { lang } = c;
  const p = (en: Prose, ru: Prose) => P(lang, en, ru);
  const runs = own(c).runs;
  const again = runs.flatMap((r) => r.calls).find((r) => NOT_READY.has(str(r, 'errno') ?? ''));
  const mode = blockingMode(runs);
  const line = (w: { path: string; line: number; text: string }) =>
    prose`${code(`${w.path}:${w.line}`)} (${code(w.text)})`;
  if (again)
    return [
      p(
        prose`Your programs used a non-blocking socket: ${callRef(again)} failed with ${str(again, 'errno') ?? '?'} instead of waiting${mode.where ? prose`; the code that makes it so: ${line(mode.where)}` : ''}.`,
        prose`Ваши программы использовали неблокирующий сокет: ${callRef(again)} завершился с ошибкой ${str(again, 'errno') ?? '?'}, а не ждал${mode.where ? prose`; это делает строка кода ${line(mode.where)}` : ''}.`,
      ),
    ];
  if (mode.kind === 'non-blocking' && mode.where)
    return [
      p(
        prose`Your code makes a socket non-blocking: ${line(mode.where)}; no call in the traces failed with EAGAIN, so in this run that socket was always ready when it was used.`,
        prose`Ваш код делает сокет неблокирующим: ${line(mode.where)}; ни один вызов в трассировках не завершился с EAGAIN, то есть в этом запуске сокет всякий раз был готов, когда к нему обращались.`,
      ),
    ];
  if (mode.kind === 'timeout' && mode.where)
    return [
      p(
        prose`Your code sets a timeout on a socket: ${line(mode.where)}. For your program such a socket blocks, but at most that long, then the call raises TimeoutError (Python puts the descriptor itself into non-blocking mode and waits in poll()).`,
        prose`Ваш код задаёт сокету тайм-аут: ${line(mode.where)}. Для вашей программы такой сокет блокирующий, но вызов ждёт не дольше заданного времени, а потом выбрасывает TimeoutError (сам дескриптор Python переводит в неблокирующий режим и ждёт в poll()).`,
      ),
    ];
  if (mode.paths.length > 0)
    return [
      p(
        prose`Your programs’ sockets were blocking (the default): the code that ran (${join(mode.paths.map((x) => code(x)))}) never makes a socket non-blocking (no setblocking(False), settimeout(), O_NONBLOCK or SOCK_NONBLOCK), and no call in the traces failed with EAGAIN.`,
        prose`Сокеты ваших программ были блокирующими (так по умолчанию): код, который работал (${join(mode.paths.map((x) => code(x)))}), нигде не делает сокет неблокирующим (нет setblocking(False), settimeout(), O_NONBLOCK или SOCK_NONBLOCK), и ни один вызов в трассировках не завершился с EAGAIN.`,
      ),
    ];
  return [
    p(
      'Whether your programs’ sockets were blocking this report cannot tell: their code was not recorded, and no call in the traces failed with EAGAIN (a blocking socket never does; a non-blocking one does only when it is not ready).',
      'Были ли сокеты ваших программ блокирующими, по этому отчёту сказать нельзя: их код не записан, а ни один вызов в трассировках не завершился с EAGAIN (у блокирующего сокета такого не бывает, у неблокирующего — только когда он не готов).',
    ),
  ];
}

/**
 * Whether the student's chat lost a datagram, from the traces of both ends (strace saw each
 * sendto() at the sender and each recvfrom() at the receiver): per client, what it sent and what
 * the server received from it, what the server sent it and what it read. "None lost" is said only
 * when every count matches; otherwise the counts, and that an unread datagram may have waited in
 * the buffer when the program ended.
 */
function ownDelivery(c: Ctx): Block[] {
  const { lang } = c;
  const chat = own(c).chat;
  if (!chat.server || chat.clients.length === 0) return [];
  const rows = chat.clients.map((x) => {
    const peer = x.seen ? str(x.seen, 'peer') : undefined;
    return {
      name: x.run.source,
      sent: x.sends.length,
      got: peer === undefined ? undefined : chat.received.filter((r) => str(r, 'peer') === peer).length,
      relayed: peer === undefined ? undefined : chat.relays.filter((r) => str(r, 'peer') === peer).length,
      read: x.recvs.length,
    };
  });
  if (rows.some((r) => r.got === undefined && r.sent > 0)) return [];
  const all = rows.every((r) => (r.got ?? 0) === r.sent && (r.relayed ?? 0) === r.read);
  const dg = (n: number) => count(lang, n, 'datagram');
  const en = join(
    rows.map(
      (r) =>
        prose`${code(r.name)} sent ${dg(r.sent)}, the server received ${r.got ?? 0} from it and sent it ${r.relayed ?? 0}, and it read ${r.read}`,
    ),
    '; ',
  );
  const ru = join(
    rows.map(
      (r) =>
        prose`${code(r.name)} отправил ${dg(r.sent)}, сервер получил от него ${r.got ?? 0} и отправил ему ${r.relayed ?? 0}, а он прочитал ${r.read}`,
    ),
    '; ',
  );
  return [
    all
      ? P(
          lang,
          prose`By the traces of both ends, no chat datagram was lost in this run (strace saw each sendto() at the sender and each recvfrom() at the receiver): ${en}.`,
          prose`По трассировкам обеих сторон в этом запуске ни одна дейтаграмма чата не потерялась (strace видел каждый sendto() у отправителя и каждый recvfrom() у получателя): ${ru}.`,
        )
      : P(
          lang,
          prose`The traces of both ends (each sendto() at the sender, each recvfrom() at the receiver): ${en}. Where fewer were read than sent, a datagram was lost on the way or was still waiting, unread, in the receiver’s socket buffer when its program ended.`,
          prose`Трассировки обеих сторон (каждый sendto() у отправителя, каждый recvfrom() у получателя): ${ru}. Где прочитано меньше, чем отправлено, дейтаграмма либо потерялась в пути, либо ещё лежала непрочитанной в буфере сокета получателя, когда его программа завершилась.`,
        ),
  ];
}
