/**
 * The `own.*` events: a student's own program as the runner sees it (src/own/runner.ts). Spread
 * into the one catalogue in src/log/events.ts; kept here so the explanations of every socket call
 * live beside the parser that reads them. Explanations never contain the program's output or data;
 * those stay in fields.
 */

import type { Lang } from '../text/lang.js';
import type { EventSpec } from './spec.js';
import { count, numberText } from '../text/plural.js';

export type OwnRole = 'echo-server' | 'echo-client' | 'chat-server' | 'chat-client';
export const OWN_ROLES: readonly OwnRole[] = ['echo-server', 'echo-client', 'chat-server', 'chat-client'];

/** Why a run of an own program went wrong, as `own.program.failed` names it. */
export type OwnFailReason =
  | 'not-found'
  | 'exited-at-once'
  | 'never-listened'
  | 'wrong-port'
  | 'output-flood'
  | 'fork-flood'
  | 'killed-after-grace'
  | 'trace-failed'
  | 'trace-escaped';

/** How an own program ended, as `own.program.exited` says. */
export type OwnEndReason = 'exited' | 'stopped' | 'killed-after-grace' | 'signal';

/** The fields of `own.call`: one socket system call of the student's program (see SocketCall). */
export interface OwnCallFields {
  role: OwnRole;
  /** The traced process (not `pid`: pino writes the runner's own pid under that name). */
  ownPid: number;
  call: string;
  fd?: number;
  size?: number;
  /** The return value; -1 with `errno`, or -1 with `unfinished` when the call never returned. */
  result: number;
  unfinished?: boolean;
  errno?: string;
  bytes?: number;
  peer?: string;
  local?: string;
  family?: string;
  type?: string;
  backlog?: number;
  how?: string;
  newFd?: number;
  durationMs?: number;
  data?: string;
  /**
   * When the call RETURNED, from strace (ms since the epoch): orders calls across processes, and
   * every check measures time between calls from it (a recvfrom that blocked 30 s happened when
   * its datagram arrived, not when it started waiting).
   */
  at: number;
  /** When a call that blocked started (strace split it in two halves); `at` - `startedAt` = `durationMs`. */
  startedAt?: number;
  /** close() of a listening socket. */
  listening?: boolean;
  /**
   * A call that moves data between two fds (splice, sendfile, copy_file_range): whether the socket
   * (`fd`) was read from or written to; `size` and `bytes` then count like a read's or a write's.
   */
  way?: 'read' | 'write';
}

function spec<F>(
  level: EventSpec<F>['level'],
  example: F,
  en: (f: F) => string,
  ru: (f: F) => string,
): EventSpec<F> {
  return { level, example, en, ru };
}

const bytes = (lang: Lang, n: number) => count(lang, n, 'byte');
const READS = new Set(['read', 'readv', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg']);
const WRITES = new Set(['write', 'writev', 'send', 'sendto', 'sendmsg', 'sendmmsg']);
const WAITS = new Set(['select', 'pselect6', 'poll', 'ppoll', 'epoll_wait', 'epoll_pwait']);

// ERESTART*: the kernel's own codes for a wait cut by a signal (strace shows them as `= ? ERESTARTSYS`).
// Under the lab the signal is nearly always the SIGTERM that stops the program at the end of the
// run, so this is how a server ends normally, not a failure of the call.
const STOPPED_EN =
  'the call was waiting and the signal that stops the program interrupted it (the normal end of a run, not a failure)';
const STOPPED_RU =
  'вызов ждал, и его прервал сигнал, которым программу останавливают (обычное завершение работы, а не сбой)';
const RESTARTS = new Set(['ERESTARTSYS', 'ERESTARTNOHAND', 'ERESTARTNOINTR', 'ERESTART_RESTARTBLOCK']);

const REFUSED_LATER: Record<Lang, string> = {
  en: 'an ICMP "port unreachable" came back for what the socket sent there earlier: no socket is bound to that port on that host, or a firewall on the way rejected it',
  ru: 'на отправленное сокетом туда ранее пришло ICMP-сообщение «port unreachable» (порт недоступен): на этом хосте к этому порту не привязан ни один сокет, или отправленное отклонил межсетевой экран на пути',
};

const errnoText: Record<Lang, Record<string, string>> = {
  en: {
    ECONNREFUSED:
      'the connection was refused: the SYN was answered with RST (no socket listens on that address and port) or rejected by a firewall on the way',
    ECONNRESET: 'the peer reset the connection (RST)',
    EPIPE: 'the peer has closed the connection; writing to it is an error',
    EADDRINUSE: 'another socket already uses that address and port',
    EADDRNOTAVAIL: 'this machine has no such address',
    EAGAIN: 'nothing to do yet on a non-blocking socket; the call did not wait',
    EINPROGRESS: 'a non-blocking connect() has started; the handshake goes on in the background',
    ETIMEDOUT: 'the other host did not answer in time',
    EHOSTUNREACH: 'no route to that host',
    ENETUNREACH: 'no route to that network',
    ERESTARTSYS: STOPPED_EN,
    ERESTARTNOHAND: STOPPED_EN,
    ERESTARTNOINTR: STOPPED_EN,
    ERESTART_RESTARTBLOCK: STOPPED_EN,
    EINTR: 'a signal interrupted the call while it waited',
  },
  ru: {
    ECONNREFUSED:
      'в соединении отказано: на SYN пришёл RST (на этом адресе и порту нет слушающего сокета) или его отклонил межсетевой экран на пути',
    ECONNRESET: 'собеседник сбросил соединение (RST)',
    EPIPE: 'собеседник уже закрыл соединение; писать в него — ошибка',
    EADDRINUSE: 'этот адрес и порт уже занят другим сокетом',
    EADDRNOTAVAIL: 'у этой машины нет такого адреса',
    EAGAIN: 'на неблокирующем сокете пока нечего делать; вызов не ждал',
    EINPROGRESS: 'неблокирующий connect() начат; рукопожатие идёт в фоне',
    ETIMEDOUT: 'другой узел не ответил вовремя',
    EHOSTUNREACH: 'нет маршрута до этого узла',
    ENETUNREACH: 'нет маршрута до этой сети',
    ERESTARTSYS: STOPPED_RU,
    ERESTARTNOHAND: STOPPED_RU,
    ERESTARTNOINTR: STOPPED_RU,
    ERESTART_RESTARTBLOCK: STOPPED_RU,
    EINTR: 'вызов ждал, и его прервал сигнал',
  },
};

function waited(lang: Lang, ms: number | undefined): string {
  if (ms === undefined || ms < 1) return '';
  const v = Math.round(ms);
  return lang === 'en' ? ` (it waited ${v} ms)` : ` (вызов ждал ${v} мс)`;
}

/** What one socket call did, said exactly: the explanation of `own.call`. */
export function callText(lang: Lang, f: OwnCallFields): string {
  const en = lang === 'en';
  const fd = f.fd === undefined ? '' : en ? ` on fd ${f.fd}` : ` на fd ${f.fd}`;
  const wait = waited(lang, f.durationMs);
  if (f.errno !== undefined || (f.result < 0 && !f.unfinished)) {
    // ECONNREFUSED outside connect() sends no SYN: the kernel reports on the socket's next call
    // an ICMP "port unreachable" that came back for something sent earlier (a UDP datagram).
    const why =
      f.errno === 'ECONNREFUSED' && f.call !== 'connect'
        ? REFUSED_LATER[lang]
        : (errnoText[lang][f.errno ?? ''] ?? '');
    const at = f.peer ? ` (${f.peer})` : '';
    if (RESTARTS.has(f.errno ?? ''))
      return en
        ? `${f.call}()${fd}${at} was interrupted (${f.errno}): ${why}${wait}`
        : `${f.call}()${fd}${at} прерван (${f.errno}): ${why}${wait}`;
    return en
      ? `${f.call}()${fd}${at} failed with ${f.errno ?? f.result}${why ? `: ${why}` : ''}${wait}`
      : `${f.call}()${fd}${at} завершился ошибкой ${f.errno ?? f.result}${why ? `: ${why}` : ''}${wait}`;
  }
  if (f.unfinished) {
    return en
      ? `${f.call}()${fd} did not return: the program ended while it waited${wait}`
      : `${f.call}()${fd} не вернулся: программа завершилась, пока он ждал${wait}`;
  }
  const kind = f.type === 'udp' ? 'UDP' : f.type === 'tcp' ? 'TCP' : '';
  switch (f.call) {
    case 'socket':
      return en
        ? `socket() made a ${kind || 'new'} socket, fd ${f.newFd ?? f.result}: only a handle in the kernel; nothing is on the network yet`
        : `socket() создал ${kind ? `${kind}-сокет` : 'сокет'}, fd ${f.newFd ?? f.result}: пока только объект в ядре, в сети ничего не произошло`;
    case 'bind': {
      const loop = f.local?.startsWith('127.') || f.local?.startsWith('[::1]');
      const any = f.local?.startsWith('0.0.0.0') || f.local?.startsWith('[::]');
      const note = loop
        ? en
          ? ': a loopback address, so only programs on this same machine can connect (not a VM, not another host)'
          : ': это петлевой адрес (loopback), подключиться смогут только программы на этой же машине (ни ВМ, ни другой узел)'
        : any
          ? en
            ? ': every address of this machine, so clients can connect to any of its addresses (if routing and the firewall let them through)'
            : ': это все адреса машины, так что клиенты могут подключиться по любому адресу машины (если маршрут и межсетевой экран пропускают)'
          : '';
      return en
        ? `bind() gave fd ${f.fd} the local address ${f.local ?? '?'}${note}`
        : `bind() назначил fd ${f.fd} локальный адрес ${f.local ?? '?'}${note}`;
    }
    case 'listen':
      return en
        ? `listen() made fd ${f.fd}${f.local ? ` (${f.local})` : ''} a listening socket (backlog ${f.backlog ?? '?'}): the kernel now completes handshakes by itself and queues the connections for accept()`
        : `listen() сделал fd ${f.fd}${f.local ? ` (${f.local})` : ''} слушающим сокетом (очередь ${f.backlog ?? '?'}): теперь ядро само завершает рукопожатия и складывает соединения в очередь для accept()`;
    case 'accept':
    case 'accept4':
      return en
        ? `${f.call}() took a connection from the queue: new socket fd ${f.newFd ?? f.result} for ${f.peer ?? 'a client'}; fd ${f.fd} keeps listening${wait}`
        : `${f.call}() взял соединение из очереди: новый сокет fd ${f.newFd ?? f.result} для ${f.peer ?? 'клиента'}; fd ${f.fd} продолжает слушать${wait}`;
    case 'connect':
      return en
        ? f.type === 'udp'
          ? `connect()${fd} fixed the peer address ${f.peer ?? '?'}: UDP has no handshake, nothing was sent; from now on send() goes there, recv() takes datagrams only from there, and an ICMP error from there comes back as an error of a later call${wait}`
          : `connect()${fd} to ${f.peer ?? '?'} completed the three-way handshake${wait}`
        : f.type === 'udp'
          ? `connect()${fd} запомнил адрес собеседника ${f.peer ?? '?'}: у UDP нет рукопожатия, ничего не отправлено; теперь send() шлёт туда, recv() принимает дейтаграммы только оттуда, а ошибка ICMP оттуда вернётся ошибкой одного из следующих вызовов${wait}`
          : `connect()${fd} к ${f.peer ?? '?'} завершил тройное рукопожатие${wait}`;
    case 'shutdown':
      return en
        ? `shutdown(${f.how ?? '?'})${fd}: ${f.how === 'SHUT_RD' ? 'no more reading' : 'the kernel sends a FIN: this side will send nothing more; reading still works'}`
        : `shutdown(${f.how ?? '?'})${fd}: ${f.how === 'SHUT_RD' ? 'чтение закрыто' : 'ядро отправляет FIN: эта сторона больше ничего не пошлёт, читать ещё можно'}`;
    case 'close': {
      // What the kernel does depends on the socket: only a TCP connection has a FIN to send.
      const what = f.listening
        ? en
          ? 'a listening socket has no connection, so no FIN is sent; connections still queued and never accepted are reset (RST)'
          : 'у слушающего сокета нет соединения, FIN не отправляется; соединения, которые ждали в очереди и не были приняты accept(), сбрасываются (RST)'
        : f.type === 'udp'
          ? en
            ? 'a UDP socket has no connection: nothing is sent'
            : 'у UDP-сокета нет соединения: в сеть ничего не отправляется'
          : f.type === 'tcp'
            ? en
              ? 'for this TCP connection the kernel sends a FIN (an RST if received data was left unread)'
              : 'для этого TCP-соединения ядро отправляет FIN (RST, если остались непрочитанные данные)'
            : en
              ? 'if it was a TCP connection the kernel sends a FIN (an RST if received data was left unread)'
              : 'если это было TCP-соединение, ядро отправляет FIN (RST, если остались непрочитанные данные)';
      return en
        ? `close()${fd}${f.peer ? ` (${f.peer})` : ''}: the program let go of the socket; ${what}`
        : `close()${fd}${f.peer ? ` (${f.peer})` : ''}: программа освободила сокет; ${what}`;
    }
  }
  if (READS.has(f.call) || f.way === 'read') {
    if (f.result === 0 && f.type !== 'udp') {
      return en
        ? `${f.call}()${fd} returned 0: the peer${f.peer ? ` ${f.peer}` : ''} closed its side (its FIN arrived); no more data will come${wait}`
        : `${f.call}()${fd} вернул 0: собеседник${f.peer ? ` ${f.peer}` : ''} закрыл свою сторону (пришёл его FIN), данных больше не будет${wait}`;
    }
    const got = f.bytes ?? f.result;
    return en
      ? `${f.call}()${fd} asked the kernel for up to ${f.size === undefined ? '?' : bytes('en', f.size)} and got ${got}${f.peer ? ` from ${f.peer}` : ''}: whatever had arrived, at most what was asked${wait}`
      : `${f.call}()${fd} запросил у ядра до ${f.size === undefined ? '?' : count('ru', f.size, 'byte', 'gen')} и получил ${got}${f.peer ? ` от ${f.peer}` : ''}: сколько уже пришло, но не больше запрошенного${wait}`;
  }
  if (WRITES.has(f.call) || f.way === 'write') {
    const part =
      f.size !== undefined && f.bytes !== undefined && f.bytes < f.size
        ? en
          ? ` (of ${bytes('en', f.size)} offered: a partial write, the rest must be written again)`
          : ` (а предложено было ${bytes('ru', f.size)}: запись частичная, остаток нужно записать ещё раз)`
        : '';
    return en
      ? `${f.call}()${fd} put ${bytes('en', f.bytes ?? f.result)} into the socket's send buffer${part}${f.peer ? ` for ${f.peer}` : ''}; the kernel sends them when it can: a write does not wait for delivery${wait}`
      : `${f.call}()${fd} положил ${bytes('ru', f.bytes ?? f.result)} в буфер отправки сокета${part}${f.peer ? ` для ${f.peer}` : ''}; ядро отправит их, когда сможет: запись не ждёт доставки${wait}`;
  }
  if (WAITS.has(f.call)) {
    return en
      ? `${f.call}() waited until a socket was ready and returned the number ready: ${f.result}${wait}; the program blocks here instead of in a read or accept`
      : `${f.call}() ждал, пока сокет будет готов, и вернул число готовых: ${f.result}${wait}; программа блокируется здесь, а не в чтении или accept`;
  }
  return en ? `${f.call}()${fd} returned ${f.result}${wait}` : `${f.call}()${fd} вернул ${f.result}${wait}`;
}

const failText: Record<Lang, Record<OwnFailReason, string>> = {
  en: {
    'not-found': 'the command was not found or cannot be run',
    'exited-at-once': 'the program ended before it did its job',
    'never-listened': 'the server never called listen() (a UDP chat server: never bound its port)',
    'wrong-port': 'the server listens on another port than the lab gave it',
    'output-flood': 'the program prints far more than a person can read; the rest is counted, not logged',
    'fork-flood': 'the program keeps starting new processes',
    'killed-after-grace': 'the program did not end after SIGTERM and was killed (SIGKILL)',
    'trace-failed': 'strace could not trace the program; its socket calls are not seen',
    'trace-escaped': 'part of the program ran outside the trace; its socket calls there are not seen',
  },
  ru: {
    'not-found': 'команда не найдена или не запускается',
    'exited-at-once': 'программа завершилась, не сделав своей работы',
    'never-listened': 'сервер так и не вызвал listen() (UDP-чат-сервер: так и не привязал сокет к порту)',
    'wrong-port': 'сервер слушает не тот порт, который ему дал стенд',
    'output-flood':
      'программа печатает гораздо больше, чем можно прочитать; остальное подсчитано, но не записано',
    'fork-flood': 'программа всё запускает и запускает новые процессы',
    'killed-after-grace': 'программа не завершилась после SIGTERM и была убита (SIGKILL)',
    'trace-failed': 'strace не смог трассировать программу; её вызовы с сокетами не видны',
    'trace-escaped': 'часть программы работала вне трассировки; её вызовы с сокетами там не видны',
  },
};

/** Older runners wrote this English hint into `setting`; it is said per language now. */
const OLD_GRACE_HINT = ' (end the program on SIGTERM)';

/** What to change, in the reader's language: the setting's name plus, for a program that ignored SIGTERM, the fix. */
export function settingText(lang: Lang, reason: OwnFailReason, setting: string): string {
  const name = setting.endsWith(OLD_GRACE_HINT) ? setting.slice(0, -OLD_GRACE_HINT.length) : setting;
  if (reason !== 'killed-after-grace') return name;
  return lang === 'en'
    ? `${name} (end the program on SIGTERM)`
    : `${name} (программа должна завершаться по SIGTERM)`;
}

/** The numbers behind an `own.program.failed`, from which each language says what was expected and what happened. */
export interface FailFacts {
  port?: number;
  local?: string;
  code?: number | null;
  signal?: string | null;
  ms?: number;
  lines?: number;
  bytes?: number;
  processes?: number;
  detail?: string;
  /** A UDP chat server: it binds its socket, it has no listen() to call. */
  udp?: boolean;
}

/** [expected, happened] for a failure, in `lang`; the runner logs the English pair as fields too. */
export function failSentences(lang: Lang, reason: OwnFailReason, x: FailFacts): [string, string] {
  const en = lang === 'en';
  // Name only what is known: a process killed by a signal has no exit code, and vice versa.
  const ended =
    [
      x.code != null ? `${en ? 'exit code' : 'код выхода'} ${x.code}` : '',
      x.signal ? `${en ? 'signal' : 'сигнал'} ${x.signal}` : '',
    ]
      .filter(Boolean)
      .join(', ') || (en ? 'no exit code or signal' : 'без кода выхода и сигнала');
  switch (reason) {
    case 'not-found':
      return en
        ? [
            'a command the shell can run in the program folder',
            `the shell could not run it (${ended}${x.detail ? `: ${x.detail}` : ''})`,
          ]
        : [
            'команда, которую оболочка может запустить в папке программы',
            `оболочка не смогла её запустить (${ended}${x.detail ? `: ${x.detail}` : ''})`,
          ];
    case 'exited-at-once':
      return en
        ? ['a server that keeps running and listens', `it ended after ${x.ms ?? '?'} ms (${ended})`]
        : ['сервер работает и слушает порт', `он завершился через ${x.ms ?? '?'} мс (${ended})`];
    case 'never-listened':
      if (x.udp)
        return en
          ? [`bind() of a UDP socket to port ${x.port ?? '?'}`, `no such bind() in ${x.ms ?? '?'} ms`]
          : [`bind() UDP-сокета на порт ${x.port ?? '?'}`, `за ${x.ms ?? '?'} мс такого bind() не было`];
      return en
        ? [`listen() on port ${x.port ?? '?'}`, `no listen() in ${x.ms ?? '?'} ms`]
        : [`listen() на порту ${x.port ?? '?'}`, `за ${x.ms ?? '?'} мс listen() не было`];
    case 'wrong-port':
      return en
        ? [`listen on port ${x.port ?? '?'}`, `listens on ${x.local ?? '?'}`]
        : [`слушать порт ${x.port ?? '?'}`, `слушает ${x.local ?? '?'}`];
    case 'output-flood':
      return en
        ? [
            'a few lines per event',
            `${x.lines === undefined ? '? lines' : count('en', x.lines, 'line')}, ${x.bytes === undefined ? '? bytes' : count('en', x.bytes, 'byte')} so far`,
          ]
        : [
            'несколько строк на событие',
            `уже ${x.lines === undefined ? '? строк' : count('ru', x.lines, 'line')}, ${x.bytes === undefined ? '? байт' : count('ru', x.bytes, 'byte')}`,
          ];
    case 'fork-flood':
      return en
        ? ['one process (threads are fine)', `${x.processes ?? '?'} processes started`]
        : ['один процесс (потоки — можно)', `запущено процессов: ${x.processes ?? '?'}`];
    case 'killed-after-grace':
      return en
        ? [`the program ends within ${x.ms ?? '?'} ms of SIGTERM`, 'it was still running, so it was killed']
        : [`программа завершается за ${x.ms ?? '?'} мс после SIGTERM`, 'она продолжала работать, и её убили'];
    case 'trace-failed':
      return en
        ? ['strace traces the program', x.detail ?? 'strace failed']
        : ['strace трассирует программу', x.detail ?? 'strace не сработал'];
    case 'trace-escaped':
      return en
        ? ['every process of the program is traced', x.detail ?? 'a process left the trace']
        : ['все процессы программы трассируются', x.detail ?? 'процесс ушёл из-под трассировки'];
  }
  return ['', ''];
}

const endText: Record<Lang, Record<OwnEndReason, string>> = {
  en: {
    exited: 'it ended by itself',
    stopped: 'it ended after the lab sent it SIGTERM',
    'killed-after-grace': 'it ignored SIGTERM and was killed with SIGKILL after the grace period',
    signal: 'a signal ended it',
  },
  ru: {
    exited: 'сам',
    stopped: 'после SIGTERM от стенда',
    'killed-after-grace': 'не по SIGTERM (его он не послушал), а по SIGKILL после отсрочки',
    signal: 'от сигнала',
  },
};

const roleText: Record<Lang, Record<OwnRole, string>> = {
  en: {
    'echo-server': 'your echo server',
    'echo-client': 'your echo client',
    'chat-server': 'your chat server',
    'chat-client': 'your chat client',
  },
  ru: {
    'echo-server': 'ваш эхо-сервер',
    'echo-client': 'ваш эхо-клиент',
    'chat-server': 'ваш сервер чата',
    'chat-client': 'ваш клиент чата',
  },
};

/** "your echo server" / "ваш эхо-сервер". */
export function roleName(lang: Lang, role: OwnRole): string {
  return roleText[lang][role] ?? role;
}

/** The same at the start of a sentence. */
function RoleName(lang: Lang, role: OwnRole): string {
  const name = roleName(lang, role);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * own.listening: a TCP server's listen() (`how` absent or 'listen'), or a UDP chat server's bind()
 * of its UDP socket (`how: 'bound'`: UDP has no listen(); bound, the socket receives datagrams).
 */
export interface ListeningFields {
  role: OwnRole;
  ownPid: number;
  fd: number;
  local: string;
  port: number;
  expectedPort: number;
  how?: 'listen' | 'bound';
}

/**
 * Only the fields every own.call has: the report's reader accepts a line when each example field is
 * there with the same type, so the optional ones (fd, size, bytes, errno, peer, local, family, type,
 * backlog, how, newFd, durationMs, data, unfinished: see OwnCallFields) stay out of the example.
 */
const callExample: OwnCallFields = {
  role: 'echo-server',
  ownPid: 41,
  call: 'recvfrom',
  result: 1024,
  at: 1796173698487.381,
};

/** The three datagrams of the lab's probe of a student's chat server (src/own/probe.ts). */
export type ProbeKind = 'not-utf8' | 'empty' | 'max';
const probeText: Record<Lang, Record<ProbeKind, string>> = {
  en: {
    'not-utf8': 'a datagram that is not UTF-8',
    empty: 'an empty datagram',
    max: 'the largest datagram UDP over IPv4 carries',
  },
  ru: {
    'not-utf8': 'дейтаграмму не в UTF-8',
    empty: 'пустую дейтаграмму',
    max: 'самую большую дейтаграмму, какую несёт UDP поверх IPv4',
  },
};

export const ownEvents = {
  'own.program.started': spec(
    'info',
    {
      role: 'echo-server' as OwnRole,
      command: 'python3 server.py 7007',
      dir: '/own',
      ownPid: 40,
      traced: true,
    },
    (f) =>
      `Started ${roleName('en', f.role)} in ${f.dir}: ${f.command} (pid ${f.ownPid}, ${f.traced ? 'its socket calls traced with strace' : 'not traced'})`,
    (f) =>
      `Запущен ${roleName('ru', f.role)} в ${f.dir}: ${f.command} (идентификатор процесса ${f.ownPid}, ${f.traced ? 'вызовы с сокетами трассирует strace' : 'без трассировки'})`,
  ),
  'own.sources': spec(
    'info',
    {
      role: 'echo-server' as OwnRole,
      files: [{ path: 'server.py', bytes: 1530, sha256: '9f2c...' }] as {
        path: string;
        bytes: number;
        sha256: string;
      }[],
      skipped: 0,
    },
    (f) =>
      `${count('en', f.files.length, { one: 'source file', other: 'source files' })} of ${roleName('en', f.role)} recorded with their SHA-256, so the report shows the code that ran${f.skipped ? ` (${f.skipped} more not recorded: over the limit)` : ''}`,
    (f) =>
      `Исходные файлы (${roleName('ru', f.role)}) записаны вместе с SHA-256, чтобы отчёт показал именно тот код, что работал; файлов: ${f.files.length}${f.skipped ? ` (ещё ${f.skipped} не записано: сверх предела)` : ''}`,
  ),
  'own.trace.off': spec(
    'warn',
    { role: 'echo-server' as OwnRole, reason: 'not-installed' as 'not-installed' | 'turned-off' },
    (f) =>
      `${RoleName('en', f.role)} runs without strace (${f.reason === 'turned-off' ? 'turned off with --trace off' : 'strace is not installed'}): its output is logged, its socket calls are not, and the checks that need them say "not applicable"`,
    (f) =>
      `${RoleName('ru', f.role)} работает без strace (${f.reason === 'turned-off' ? 'трассировка выключена: --trace off' : 'strace не установлен'}): его вывод записывается, а вызовы с сокетами — нет, и проверки, которым они нужны, будут «неприменимо»`,
  ),
  'own.call': spec(
    'info',
    callExample,
    (f) => callText('en', f),
    (f) => callText('ru', f),
  ),
  'own.call.summary': spec(
    'info',
    {
      role: 'echo-server' as OwnRole,
      windowMs: 1000,
      calls: { recvfrom: 1200, sendto: 1200 } as Record<string, number>,
      bytesIn: 1228800,
      bytesOut: 1228800,
      maxReadSize: 1024,
    },
    (f) =>
      `Busy program: in the last ${f.windowMs} ms, ${count(
        'en',
        Object.values(f.calls).reduce((a, b) => a + b, 0),
        { one: 'more socket call', other: 'more socket calls' },
      )} without a line each (read ${bytes('en', f.bytesIn)}, wrote ${bytes('en', f.bytesOut)}; the largest read asked for ${bytes('en', f.maxReadSize)}); these counts are exact`,
    (f) =>
      `Программа занята: за последние ${f.windowMs} мс ещё ${count(
        'ru',
        Object.values(f.calls).reduce((a, b) => a + b, 0),
        { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' },
      )} с сокетами без отдельной строки (прочитано ${bytes('ru', f.bytesIn)}, записано ${bytes('ru', f.bytesOut)}; самое большое чтение запрашивало ${bytes('ru', f.maxReadSize)}); счётчики точные`,
  ),
  'own.listening': spec(
    'info',
    // `how` stays out of the example (the report's reader requires every example field): logs
    // written before it existed are still read. Absent means 'listen'.
    {
      role: 'echo-server' as OwnRole,
      ownPid: 40,
      fd: 3,
      local: '0.0.0.0:7007',
      port: 7007,
      expectedPort: 7007,
    } as ListeningFields,
    (f) =>
      f.how === 'bound'
        ? `${RoleName('en', f.role)} bound its UDP socket to ${f.local} (fd ${f.fd}): UDP has no listen(), a bound socket already receives every client's datagrams${f.expectedPort ? `; the lab sends its clients to port ${f.expectedPort}` : ''}`
        : `${RoleName('en', f.role)} listens on ${f.local} (fd ${f.fd})${f.expectedPort ? `; the lab sends its clients to port ${f.expectedPort}` : ''}`,
    (f) =>
      f.how === 'bound'
        ? `${RoleName('ru', f.role)} привязал UDP-сокет к ${f.local} (дескриптор ${f.fd}): у UDP нет listen(), привязанный сокет уже принимает дейтаграммы всех клиентов${f.expectedPort ? `; клиенты стенда идут на порт ${f.expectedPort}` : ''}`
        : `${RoleName('ru', f.role)} слушает ${f.local} (дескриптор ${f.fd})${f.expectedPort ? `; клиенты стенда идут на порт ${f.expectedPort}` : ''}`,
  ),
  'own.probe.sent': spec(
    'info',
    {
      role: 'chat-server' as OwnRole,
      kind: 'not-utf8' as ProbeKind,
      bytes: 4,
      from: '127.0.0.1:40000',
      to: '127.0.0.1:7008',
    },
    (f) =>
      `The lab's probe sent ${roleName('en', f.role)} ${probeText.en[f.kind] ?? f.kind} (${bytes('en', f.bytes)}) from ${f.from} to ${f.to}: the server must keep receiving after it. ${f.from} is the probe's socket, closed after its three datagrams, not a chat member, though the server may keep it as one`,
    (f) =>
      `Проба стенда отправила ${probeText.ru[f.kind] ?? f.kind} (${bytes('ru', f.bytes)}) с ${f.from} на ${f.to} (${roleName('ru', f.role)}): после неё сервер должен продолжать принимать. ${f.from} — сокет пробы, закрытый после трёх её дейтаграмм, а не участник чата, хотя сервер может считать его участником`,
  ),
  'own.probe.failed': spec(
    'warn',
    { role: 'chat-server' as OwnRole, detail: 'Error: send EPERM 127.0.0.1:7008' },
    (f) =>
      `The lab's probe could not send its datagrams to ${roleName('en', f.role)} (${f.detail}): the odd-datagrams check stays not applicable`,
    (f) =>
      `Проба стенда не смогла отправить дейтаграммы (${roleName('ru', f.role)}): ${f.detail}; проверка необычных дейтаграмм останется неприменимой`,
  ),
  'own.output': spec(
    'info',
    // `unfinished`: the stream ended without a newline after this text (a prompt such as `> `
    // printed while the program waited for input): it was printed earlier and logged at the end.
    {
      role: 'echo-server' as OwnRole,
      stream: 'stdout' as 'stdout' | 'stderr',
      text: '[<] Получено 1024 байт',
      cut: false,
    } as { role: OwnRole; stream: 'stdout' | 'stderr'; text: string; cut: boolean; unfinished?: true },
    (f) =>
      `${roleName('en', f.role)} printed a line on its ${f.stream}${f.cut ? ' (cut: too long)' : ''}${f.unfinished ? ' (unfinished: no newline before the program ended)' : ''}`,
    (f) =>
      `${roleName('ru', f.role)} напечатал строку в ${f.stream}${f.cut ? ' (обрезана: слишком длинная)' : ''}${f.unfinished ? ' (незаконченную: до завершения программы перевода строки не было)' : ''}`,
  ),
  'own.input': spec(
    'info',
    { role: 'echo-client' as OwnRole, text: 'hello', bytes: 6, scripted: true },
    (f) =>
      `A line went to the standard input of ${roleName('en', f.role)} (${bytes('en', f.bytes)} with its newline${f.scripted ? ', the scripted greeting' : ', typed'})`,
    (f) =>
      `Строка передана на стандартный ввод (${roleName('ru', f.role)}): ${bytes('ru', f.bytes)} вместе с переводом строки${f.scripted ? ', сценарное приветствие' : ', набрано'}`,
  ),
  'own.output.summary': spec(
    'warn',
    {
      role: 'echo-server' as OwnRole,
      stream: 'stdout' as 'stdout' | 'stderr',
      lines: 52000,
      bytes: 3100000,
      windowMs: 1000,
    },
    (f) =>
      `In the last ${f.windowMs} ms ${roleName('en', f.role)} printed ${count('en', f.lines, { one: 'more line', other: 'more lines' })} (${bytes('en', f.bytes)}) on its ${f.stream} without a line each in the log; the counts are exact`,
    (f) =>
      `За последние ${f.windowMs} мс ${roleName('ru', f.role)} напечатал в ${f.stream} ещё ${count('ru', f.lines, { one: 'строку', few: 'строки', many: 'строк', other: 'строки' })} (${bytes('ru', f.bytes)}) без отдельной записи в журнале; счётчики точные`,
  ),
  'own.program.exited': spec(
    'info',
    // `code` (exit code) or `signal` (what ended it): only the one that applies is written.
    { role: 'echo-server', reason: 'stopped', durationMs: 15320 } as {
      role: OwnRole;
      reason: OwnEndReason;
      durationMs: number;
      code?: number;
      signal?: string;
    },
    (f) =>
      `${RoleName('en', f.role)} ended: ${endText.en[f.reason] ?? f.reason} (${f.code != null ? `exit code ${f.code}, ` : ''}${f.signal ? `signal ${f.signal}, ` : ''}after ${f.durationMs} ms)`,
    (f) =>
      `${RoleName('ru', f.role)} завершился ${endText.ru[f.reason] ?? f.reason} (${f.code != null ? `код выхода ${f.code}, ` : ''}${f.signal ? `сигнал ${f.signal}, ` : ''}через ${numberText('ru', f.durationMs)} мс)`,
  ),
  'own.program.failed': spec(
    'error',
    {
      role: 'echo-server' as OwnRole,
      reason: 'wrong-port' as OwnFailReason,
      expected: 'listen on port 7007',
      happened: 'listens on 0.0.0.0:8080',
      setting: 'LAB_OWN_ECHO_SERVER ({port}), LAB_OWN_ECHO_PORT',
      facts: { port: 7007, local: '0.0.0.0:8080' } as FailFacts,
    },
    (f) =>
      `Problem with ${roleName('en', f.role)}: ${failText.en[f.reason] ?? f.reason}. Expected: ${f.expected}; happened: ${f.happened}; change: ${settingText('en', f.reason, f.setting)}`,
    (f) => {
      const [expected, happened] = failSentences('ru', f.reason, f.facts);
      return `Проблема (${roleName('ru', f.role)}): ${failText.ru[f.reason] ?? f.reason}. Ожидалось: ${expected}; произошло: ${happened}; что изменить: ${settingText('ru', f.reason, f.setting)}`;
    },
  ),
};
