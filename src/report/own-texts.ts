/**
 * The sentences of the checks on own programs (own-checks.ts), in each language; spread into the
 * report's texts (texts.ts) and the grading sheet's headers, so those files only gain one line each.
 */
import type { Lang } from '../log/events.js';
import { count } from '../text/plural.js';
import type { Finding } from './check.js';
import type { OwnCheckId, OwnFindingCode } from './own-checks.js';
import { CHAT_FINDINGS_EN, CHAT_FINDINGS_RU } from './own-checks-chat.js';

type P = Finding['params'];

/** Seconds with a decimal comma, as Russian writes them ("6,6 с"). */
const sec = (v: unknown): string => `${String(v).replace('.', ',')} с`;

const b = (lang: Lang, n: unknown) => count(lang, Number(n), 'byte');
const READ = {
  en: { one: 'read', other: 'reads' },
  ru: { one: 'вызов чтения', few: 'вызова чтения', many: 'вызовов чтения', other: 'вызова чтения' },
};
/** Russian prepositional after «в»: «в 1 соединении», «в 2 соединениях». */
const IN_CONNECTIONS = { one: 'соединении', few: 'соединениях', many: 'соединениях', other: 'соединениях' };
/** Calls, before «чтения» after «за»: «за 1 вызов чтения», «за 7 вызовов чтения». */
const CALL = {
  en: { one: 'call', other: 'calls' },
  ru: { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' },
};

/** A student's own program by its role, at the start of a sentence. */
const OWN_ROLE: Record<Lang, Record<string, string>> = {
  en: {
    'echo-server': 'Your echo server',
    'echo-client': 'Your echo client',
    'chat-server': 'Your chat server',
    'chat-client': 'Your chat client',
  },
  ru: {
    'echo-server': 'Ваш эхо-сервер',
    'echo-client': 'Ваш эхо-клиент',
    'chat-server': 'Ваш чат-сервер',
    'chat-client': 'Ваш чат-клиент',
  },
};
const ownWho = (lang: Lang, p: P): string => `${OWN_ROLE[lang][String(p.role)] ?? p.role} (${p.program})`;

/**
 * How an own program died of a signal (own-stop-killed): what the lab's runner sent, what the exit
 * status says, the last line the program printed, and, when the last stderr line is the shell's
 * message for that signal ("Terminated"), that the shell printed it, not the program.
 */
function ownKilled(lang: Lang, p: P): string {
  const who = ownWho(lang, p);
  const status =
    typeof p.code === 'number' && p.code > 128
      ? lang === 'en'
        ? ` (exit status ${p.code} = 128 + ${p.number}: the shell's way of saying the program died of signal ${p.number})`
        : ` (код выхода ${p.code} = 128 + ${p.number}: так оболочка сообщает, что программу завершил сигнал ${p.number})`
      : '';
  const last =
    p.last === '-'
      ? ''
      : lang === 'en'
        ? ` The last line it printed: «${p.last}».`
        : ` Последняя напечатанная строка: «${p.last}».`;
  const again = p.again === 'yes';
  const shell =
    p.shell === undefined || p.shell === '-'
      ? ''
      : again
        ? lang === 'en'
          ? ` The «${p.shell}» line${p.last === '-' ? '' : ' after it'} on \`stderr\` is again the shell's.`
          : ` Строку «${p.shell}»${p.last === '-' ? '' : ' после неё'} в \`stderr\` и здесь напечатала оболочка.`
        : lang === 'en'
          ? ` The «${p.shell}» line${p.last === '-' ? '' : ' after it'} on \`stderr\` is not the program's: the shell that ran it (\`/bin/sh -c\`) printed it on seeing it die of the signal.`
          : ` Строку «${p.shell}»${p.last === '-' ? '' : ' после неё'} в потоке ошибок (\`stderr\`) напечатала не программа, а запустившая её оболочка (\`/bin/sh -c\`), увидев, что программу завершил сигнал.`;
  if (p.grace === 'yes')
    return lang === 'en'
      ? `${who} did not end within the grace period after the SIGTERM of the lab's runner, and the runner killed it with SIGKILL, which no program can catch.${last}${shell}`
      : `${who} не завершился за отведённое время после сигнала SIGTERM от программы стенда, и она завершила его сигналом SIGKILL, который перехватить нельзя.${last}${shell}`;
  if (p.signal === 'SIGTERM' && again)
    return lang === 'en'
      ? `${who} was also stopped by the lab's runner with SIGTERM and died of the signal itself (exit status ${p.code}), printing nothing more.${last}${shell}`
      : `${who} тоже остановлен сигналом SIGTERM от программы стенда и завершён самим сигналом (код выхода ${p.code}), больше ничего не напечатав.${last}${shell}`;
  if (p.signal === 'SIGTERM')
    return lang === 'en'
      ? `${who} was stopped by the lab's runner with SIGTERM (how \`docker compose stop\` stops the containers; the runner passes it on to your program) and died of the signal itself${status}, printing nothing more.${last}${shell}`
      : `${who} остановлен сигналом SIGTERM от программы стенда (так \`docker compose stop\` останавливает контейнеры; программа стенда, запустившая вашу, передаёт ей этот сигнал) и был завершён самим сигналом${status}, больше ничего не напечатав.${last}${shell}`;
  return lang === 'en'
    ? `${who} died of ${p.signal}${status}, printing nothing more.${last}${shell}`
    : `${who} был завершён сигналом ${p.signal}${status}, больше ничего не напечатав.${last}${shell}`;
}

/** Why a program killed by the signal fails the stop check: what the course asks of it. */
const KILLED_WHY: Record<Lang, Record<string, string>> = {
  en: {
    server:
      'The assignment asks the server to print a message when it stops (main task 2): this run shows none.',
    'client-open':
      'The assignment asks the client to print a message when it disconnects from the server (main task 4): the signal ended it with its connection still open (no close() of its own in the trace), and it printed none.',
    'client-closed':
      'It had closed its connection (its close() is in the trace), but it did not end by itself: the signal killed it, and this check asks every program to end by itself and say that it stops.',
    other:
      'This check asks every program to end by itself and say that it stops. The assignment asks for such messages explicitly from the echo server (when it stops) and the echo client (when it disconnects from the server); it does not name them for the chat programs, but the check judges every program alike: this one was ended by the signal and said nothing of its stop.',
  },
  ru: {
    server:
      'Задание требует, чтобы сервер выводил сообщение при остановке (пункт 2 основного задания): в этом запуске его нет.',
    'client-open':
      'Задание требует, чтобы клиент выводил сообщение при отключении от сервера (пункт 4 основного задания): сигнал завершил его при ещё открытом соединении (своего close() в трассировке нет), и такого сообщения он не вывел.',
    'client-closed':
      'Своё соединение он закрыл (его close() есть в трассировке), но сам не завершился: его завершил сигнал, а эта проверка требует от каждой программы завершиться самой и сообщить об остановке.',
    other:
      'Эта проверка требует от каждой программы завершиться самой и сообщить об остановке. Задание прямо требует таких сообщений от эхо-сервера (при остановке) и эхо-клиента (при отключении от сервера); для программ чата оно их не называет, но проверка судит все программы одинаково: эту программу завершил сигнал, и о своей остановке она ничего не сообщила.',
  },
};

/** The same, shorter, once the check has said it for an earlier program (whyAgain): what happened to this one. */
const KILLED_WHY_AGAIN: Record<Lang, Record<string, string>> = {
  en: {
    server: KILLED_WHY.en.server!,
    'client-open':
      'It printed no message of disconnecting from the server: its connection was still open (no close() of its own in the trace).',
    'client-closed': 'It had closed its connection, but it did not end by itself.',
    // «printing nothing more» is already said: the check's reason for the chat programs was given above.
    other: '',
  },
  ru: {
    server: KILLED_WHY.ru.server!,
    'client-open':
      'Сообщения об отключении от сервера он не вывел: соединение было ещё открыто (своего close() в трассировке нет).',
    'client-closed': 'Своё соединение он закрыл, но сам не завершился.',
    other: '',
  },
};

/** What to change so that the program prints its stop (Python's default for SIGTERM is to die at once). */
function ownKilledFix(lang: Lang, p: P): string {
  if (p.grace === 'yes')
    return lang === 'en'
      ? 'End the program promptly when SIGTERM arrives (a handler that leaves the loop).'
      : 'Завершайте программу сразу по приходу SIGTERM (обработчик, который выходит из цикла).';
  if (p.signal !== 'SIGTERM') return '';
  // The advice is given once in the check, with the first program it fits.
  if (p.again === 'yes')
    return lang === 'en' ? 'The fix is the one given above.' : 'Исправление то же, что описано выше.';
  const client = p.role === 'echo-client';
  return p.python === 'yes'
    ? lang === 'en'
      ? `Python's default for SIGTERM is to end at once: no \`finally\`, no \`except KeyboardInterrupt\` runs (KeyboardInterrupt comes from SIGINT, Ctrl-C, only). Install a handler, \`signal.signal(signal.SIGTERM, handler)\`, that leaves the loop so that the program prints its stop message${client ? ' (that it disconnected from the server)' : ''}.`
      : `В Python сигнал SIGTERM по умолчанию завершает программу сразу: не выполняются ни \`finally\`, ни \`except KeyboardInterrupt\` (\`KeyboardInterrupt\` возникает только от SIGINT, по \`Ctrl+C\`). Установите обработчик \`signal.signal(signal.SIGTERM, handler)\`, который выходит из цикла, чтобы программа напечатала сообщение об остановке${client ? ' (об отключении от сервера)' : ''}.`
    : lang === 'en'
      ? 'Handle SIGTERM (a signal handler that leaves the loop) so that the program prints its stop message.'
      : 'Обработайте SIGTERM (обработчик сигнала, который выходит из цикла), чтобы программа напечатала сообщение об остановке.';
}

/**
 * A direction between two networks of the chat (vm → remote) that no message showed in this run
 * (chat-direction-untested), with why: the partial pass of the chat check.
 */
function directionText(lang: Lang, p: P): string {
  const n = Number(p.messages);
  const why: Record<Lang, Record<string, string>> = {
    en: {
      none: `${p.senders} sent no message`,
      silent: `${p.receivers} sent no datagram, so the server never learned its address and had nowhere to relay to`,
      before:
        p.join === 'joined'
          ? `${n === 1 ? 'the one message' : n === 2 ? 'both messages' : `all ${count('en', n, 'message')}`} of ${p.senders} went out before ${p.receivers} joined the chat: the server relays only to members that have joined`
          : `${n === 1 ? 'the one message' : n === 2 ? 'both messages' : `all ${count('en', n, 'message')}`} of ${p.senders} went out before ${p.receivers} sent its first datagram, that is, joined the chat: until then the server did not know its address and could not relay ${n === 1 ? 'it' : 'them'} there`,
      absent: `${p.senders} sent ${n === 1 ? 'its message' : `its ${count('en', n, 'message')}`} while no client of ${p.to} was in the chat (before its first datagram or after its last call)`,
    },
    ru: {
      none: `${p.senders} не отправил ни одного сообщения`,
      silent: `${p.receivers} не отправил ни одной дейтаграммы, поэтому сервер так и не узнал его адрес, и пересылать туда было некуда`,
      before:
        p.join === 'joined'
          ? `${n === 1 ? 'единственное сообщение' : n === 2 ? 'оба сообщения' : `все ${count('ru', n, 'message')}`} ${p.senders} ${n === 1 ? 'отправлено' : 'отправлены'} раньше, чем в чат вошёл ${p.receivers}: сервер пересылает сообщения только вошедшим участникам`
          : `${n === 1 ? 'единственное сообщение' : n === 2 ? 'оба сообщения' : `все ${count('ru', n, 'message')}`} ${p.senders} ${n === 1 ? 'отправлено' : 'отправлены'} раньше, чем ${p.receivers} отправил свою первую дейтаграмму, то есть вошёл в чат: до неё сервер не знал его адреса и переслать ${n === 1 ? 'его' : 'их'} туда не мог`,
      absent: `${p.senders} отправлял сообщения (${n}), когда в чате не было ни одного клиента ${p.to} (до его первой дейтаграммы или после его последнего вызова)`,
    },
  };
  return lang === 'en'
    ? `not tested in this run: messages ${p.from} → ${p.to}: ${why.en[String(p.reason)] ?? p.reason}. Shown: ${p.shown}; the ✅ covers only the directions shown. To test it: type a line into the ${p.from} client while the ${p.to} client is in the chat${p.join === 'joined' ? '' : ' (after it has sent something)'}`
    : `не проверено в этом запуске: сообщения ${p.from} → ${p.to}: ${why.ru[String(p.reason)] ?? p.reason}. Показано: ${p.shown}; ✅ относится только к показанным направлениям. Как проверить: введите строку в клиент ${p.from}, когда клиент ${p.to} уже в чате${p.join === 'joined' ? '' : ' (после того как он что-нибудь отправил)'}`;
}

/** The stop findings of the own programs (check.ts's ownStopFinding), in `lang`. */
const stopTexts = (lang: Lang) => ({
  'own-stop-exited': (p: P) =>
    lang === 'en'
      ? `${ownWho('en', p)} ended by itself (exit code ${p.code})`
      : `${ownWho('ru', p)} завершился сам (код выхода ${p.code})`,
  'own-stop-handled': (p: P) =>
    lang === 'en'
      ? `${ownWho('en', p)} handled the SIGTERM of the lab's runner and ended by itself (exit code ${p.code}); the last line it printed: «${p.last}»`
      : `${ownWho('ru', p)} обработал сигнал SIGTERM от программы стенда и завершился сам (код выхода ${p.code}); последняя напечатанная строка: «${p.last}»`,
  'chat-direction-untested': (p: P) => directionText(lang, p),
  'own-stop-killed': (p: P) =>
    [
      ownKilled(lang, p),
      (p.whyAgain === 'yes' ? KILLED_WHY_AGAIN : KILLED_WHY)[lang][String(p.why)] ?? '',
      ownKilledFix(lang, p),
    ]
      .filter((x) => x !== '')
      .join(' '),
  'own-stop-missing': (p: P) =>
    lang === 'en'
      ? `${ownWho('en', p)}: the logs end before it did (no own.program.exited): still running when the logs were collected, or the lab's runner itself was killed`
      : `${ownWho('ru', p)}: журнал кончается раньше программы (нет own.program.exited): она ещё работала, когда собирали журналы, или была убита сама программа стенда, запустившая её`,
});
const CLIENT = {
  en: { one: 'client', other: 'clients' },
  ru: { one: 'клиент', few: 'клиента', many: 'клиентов', other: 'клиента' },
};

/**
 * How a finding names the line of the student's code (own-source.ts): a traceback proves it; a line
 * whose text makes the call is only the likely one, and the report says so.
 */
export const OWN_WHERE: Record<Lang, Record<'traceback' | 'match', string>> = {
  en: {
    traceback: 'in your code, the line the traceback names:',
    match:
      'in your code, probably here: the line whose text makes this call (found by matching the text; the trace does not say which line made it):',
  },
  ru: {
    traceback: 'в вашем коде — строка, которую называет трассировка стека:',
    match:
      'в вашем коде, вероятно, здесь: строка, текст которой делает этот вызов (найдена по совпадению текста; трасса не говорит, какая строка его сделала):',
  },
};

/** The same in a few words, after a finding in the one-line summary (`report --check`). */
export const OWN_WHERE_SHORT: Record<Lang, Record<'traceback' | 'match', (at: string) => string>> = {
  en: { traceback: (at) => ` (${at}, named by the traceback)`, match: (at) => ` (probably ${at})` },
  ru: { traceback: (at) => ` (${at}, по трассировке стека)`, match: (at) => ` (вероятно, ${at})` },
};

/** Check titles in the report. */
export const OWN_CHECK_TITLES: Record<Lang, Record<OwnCheckId, string>> = {
  en: {
    'own-echo-server':
      'Your echo server: 1 KB reads, as many bytes echoed and the same ones, every scenario, closes, concurrency, resets',
    'own-echo-client': 'Your echo client: connects, writes the line whole, prints the echo, `exit`, refusal',
    'own-chat-server':
      'Your chat server: relays to every other member, not back, survives odd datagrams, NAT',
    'own-chat-client': 'Your chat client: shows messages before Enter, `exit`, an unreachable server',
  },
  ru: {
    'own-echo-server':
      'Ваш эхо-сервер: чтение по 1 КБ, эхо того же объёма и содержимого, все сценарии, закрытие, параллельность, сброс',
    'own-echo-client':
      'Ваш эхо-клиент: подключение, строка целиком, эхо на экране, `exit`, отказ в соединении',
    'own-chat-server': 'Ваш чат-сервер: пересылка всем остальным, не отправителю, странные дейтаграммы, NAT',
    'own-chat-client': 'Ваш чат-клиент: сообщения до нажатия Enter, `exit`, недоступный сервер',
  },
};

/** Short column headers (the grading sheet). */
export const OWN_CHECK_COLUMNS: Record<Lang, Record<OwnCheckId, string>> = {
  en: {
    'own-echo-server': 'own server',
    'own-echo-client': 'own client',
    'own-chat-server': 'own chat server',
    'own-chat-client': 'own chat client',
  },
  ru: {
    'own-echo-server': 'свой сервер',
    'own-echo-client': 'свой клиент',
    'own-chat-server': 'свой чат-сервер',
    'own-chat-client': 'свой чат-клиент',
  },
};

const howEn: Record<string, string> = {
  sent: 'it wrote `exit` to the socket as a line for the server instead of ending',
  'kept-running': 'it closed the socket but did not end by itself',
  'no-close': 'it did not close the connection',
};
const howRu: Record<string, string> = {
  sent: 'он записал `exit` в сокет как обычную строку для сервера, вместо того чтобы завершиться',
  'kept-running': 'он закрыл сокет, но сам не завершился',
  'no-close': 'он не закрыл соединение',
};

/** The parts a check names in its title, and why a part had nothing to judge (own-part-na). */
const PART: Record<Lang, Record<string, string>> = {
  en: {
    reads: '1 KB reads',
    bytes: 'as many bytes came back as were sent',
    content: 'wrote back the bytes it read',
    close: 'closes its socket after the client closed its side',
    reset: "survives a client's reset",
    sent: "writes each line (the lab's scripted one, or one typed) to the socket whole",
    echo: 'reads and prints the echo',
    exit: '`exit` ends the client',
    refused: 'a refused connection',
  },
  ru: {
    reads: 'чтение по 1 КБ',
    bytes: 'вернулось столько же байт, сколько отправлено',
    content: 'записал обратно те же байты, что прочитал',
    close: 'закрывает свой сокет, когда клиент закрыл свою сторону',
    reset: 'продолжает работу после сброса соединения клиентом (RST)',
    sent: 'записывает каждую строку (заготовленную стендом или набранную) в сокет целиком',
    echo: 'читает и выводит эхо',
    exit: '`exit` завершает клиент',
    refused: 'отказ в соединении',
  },
};
const PART_NA: Record<Lang, Record<string, string>> = {
  en: {
    'no-client': 'none of our clients connected in this run',
    'nothing-sent': 'the client sent nothing, so there was nothing to come back',
    'no-reads': 'the trace shows no read on a connection',
    'no-eof': 'no client closed its side in this run',
    'no-reset': 'no client reset its connection in this run',
    'no-lines': 'no line was typed into the client',
    'no-exit': '`exit` was never typed',
    'client-gone': 'the server wrote the echo back only after the client had ended',
    summarised:
      'too many calls in a second: some were counted in a summary line, so the byte counts are incomplete',
    'not-run': "the client was never run against a port where nothing listens (the lab's runs do not do it)",
    'server-busy':
      "it was typed while the client still waited for an echo that the busy server never sent (see the server's check)",
  },
  ru: {
    'no-client': 'ни один наш клиент в этом запуске не подключился',
    'nothing-sent': 'клиент ничего не отправил, возвращаться было нечему',
    'no-reads': 'в трассировке нет ни одного чтения из соединения',
    'no-eof': 'в этом запуске ни один клиент не закрыл свою сторону',
    'no-reset': 'в этом запуске ни один клиент не сбросил соединение',
    'no-lines': 'в клиент не было введено ни одной строки',
    'no-exit': '`exit` так и не был введён',
    'client-gone': 'сервер записал эхо обратно только после того, как клиент завершился',
    summarised:
      'вызовов в секунду было слишком много: часть учтена в сводной строке, поэтому счётчики байтов неполны',
    'not-run': 'клиент не запускался на порт, который никто не слушает (запуски стенда этого не делают)',
    'server-busy':
      'его ввели, пока клиент ещё ждал эха, которого занятый сервер так и не прислал (см. проверку сервера)',
  },
};
const partNaText = (lang: Lang, p: P): string => {
  const what = p.what !== undefined ? ` (${p.what})` : p.scenario !== undefined ? ` (${p.scenario})` : '';
  const part = PART[lang][String(p.part)] ?? String(p.part);
  const why = PART_NA[lang][String(p.reason)] ?? String(p.reason);
  return lang === 'en' ? `not tested: ${part}${what}: ${why}` : `не проверено: ${part}${what}: ${why}`;
};

/**
 * The parts a passing check did not test (own-untested), each with how to test it. Only what a
 * student can do with this lab: type into a client, run a client by hand against a closed port.
 */
const UNTESTED: Record<Lang, Record<string, [string, string]>> = {
  en: {
    reads: ['1 KB reads', 'send a line through your server'],
    bytes: [
      'every byte came back',
      'type a line into an echo client (`docker attach` to its container, detach with Ctrl-P Ctrl-Q)',
    ],
    close: ['closes a connection the client closed', 'end a client with `exit`, so that it closes its side'],
    reset: [
      "survives a client's reset",
      "the lab's run never resets a connection: close a client's socket with SO_LINGER set to 0 (Python: `s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))`, then `s.close()`), and the kernel sends RST instead of FIN",
    ],
    sent: ['sends the typed line whole', 'type a line into the client (`docker attach` to its container)'],
    echo: ['reads and prints the echo', 'type a line into the client (`docker attach` to its container)'],
    exit: ['`exit` ends the client', 'type `exit` into the client'],
    refused: [
      'a refused connection',
      "the lab's run never points your client at a closed port: run it by hand against one, e.g. `npx socket-lab own --role echo-client --host 127.0.0.1 --port 1 --log-file logs/refused.jsonl`, and give that log to `report` with the others",
    ],
    'na-unreachable': [
      'an unreachable server',
      "the lab's run never points your client at a closed port: run it by hand against one, e.g. `npx socket-lab own --role chat-client --host 127.0.0.1 --port 1 --log-file logs/unreachable.jsonl`, and give that log to `report` with the others",
    ],
    'na-probe': [
      'odd datagrams',
      "the lab's run does not send them and this report cannot judge them: send your server a datagram that is not UTF-8, an empty one and one of 65,507 bytes yourself, and see that it still relays",
    ],
    'na-remote': ['NAT', 'run the chat-remote client (behind the router) and type a line into it'],
    'nat-own-unknown': ['NAT', "bind the client's socket before sending, or let the trace show its address"],
    'nat-not-answered': [
      'NAT',
      'the server sent nothing to the member behind the router: see the relay part',
    ],
    'na-exit': ['`exit` ends the client', 'type `exit` into the client'],
    'na-incoming': ['messages shown before Enter', 'type a line into another member while this client runs'],
    'na-incoming-untraced': [
      'messages shown before Enter',
      'run your chat server with strace (LAB_OWN_TRACE=on)',
    ],
    'na-incoming-address': ['messages shown before Enter', "the client's own port must show in its trace"],
    'na-incoming-server': ['messages shown before Enter', "give the chat server's log to `report` too"],
    'na-members': ['relays to every other member', 'run two chat clients and type a line into one'],
    'own-client-echo-server-busy': [
      'reads and prints the echo',
      "the server kept it waiting: see the server's check",
    ],
  },
  ru: {
    reads: ['чтение по 1 КБ', 'отправьте строку через ваш сервер'],
    bytes: [
      'все байты вернулись',
      'введите строку в эхо-клиент (`docker attach` к его контейнеру, отключиться — Ctrl-P Ctrl-Q)',
    ],
    close: [
      'закрывает соединение, закрытое клиентом',
      'завершите клиент командой `exit`, чтобы он закрыл свою сторону',
    ],
    reset: [
      'продолжает работу после сброса соединения клиентом (RST)',
      "запуск стенда соединения не сбрасывает: закройте сокет клиента с SO_LINGER, равным 0 (в Python: `s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))`, затем `s.close()`), и ядро отправит RST вместо FIN",
    ],
    sent: [
      'отправляет набранную строку целиком',
      'введите строку в клиент (`docker attach` к его контейнеру)',
    ],
    echo: ['читает и выводит эхо', 'введите строку в клиент (`docker attach` к его контейнеру)'],
    exit: ['`exit` завершает клиент', 'введите в клиент `exit`'],
    refused: [
      'отказ в соединении',
      'запуск стенда никогда не направляет ваш клиент на закрытый порт: запустите его вручную на такой порт, например `npx socket-lab own --role echo-client --host 127.0.0.1 --port 1 --log-file logs/refused.jsonl`, и передайте этот журнал команде `report` вместе с остальными',
    ],
    'na-unreachable': [
      'недоступный сервер',
      'запуск стенда никогда не направляет ваш клиент на закрытый порт: запустите его вручную на такой порт, например `npx socket-lab own --role chat-client --host 127.0.0.1 --port 1 --log-file logs/unreachable.jsonl`, и передайте этот журнал команде `report` вместе с остальными',
    ],
    'na-probe': [
      'странные дейтаграммы',
      'запуск стенда их не отправляет, и этот отчёт их не оценивает: отправьте серверу сами дейтаграмму не в UTF-8, пустую и размером 65 507 байт и убедитесь, что он продолжает пересылать',
    ],
    'na-remote': ['NAT', 'запустите клиент chat-remote (за маршрутизатором) и введите в него строку'],
    'nat-own-unknown': ['NAT', 'привяжите сокет клиента до отправки, чтобы трассировка показала его адрес'],
    'nat-not-answered': [
      'NAT',
      'сервер ничего не отправил участнику за маршрутизатором: см. часть о пересылке',
    ],
    'na-exit': ['`exit` завершает клиент', 'введите в клиент `exit`'],
    'na-incoming': [
      'сообщения до нажатия Enter',
      'пока этот клиент работает, введите строку в другого участника',
    ],
    'na-incoming-untraced': [
      'сообщения до нажатия Enter',
      'запустите чат-сервер под strace (LAB_OWN_TRACE=on)',
    ],
    'na-incoming-address': [
      'сообщения до нажатия Enter',
      'собственный порт клиента должен быть виден в его трассировке',
    ],
    'na-incoming-server': ['сообщения до нажатия Enter', 'передайте команде `report` и журнал чат-сервера'],
    'na-members': ['пересылка всем остальным', 'запустите два чат-клиента и введите строку в один из них'],
    'own-client-echo-server-busy': ['читает и выводит эхо', 'его задержал сервер: см. проверку сервера'],
  },
};
const untestedText = (lang: Lang, p: P): string => {
  const itemsOf = (keys: unknown) =>
    String(keys ?? '')
      .split(',')
      .filter((k) => k !== '')
      // A part without its own entry is named by the title's part, never by its code.
      .map(
        (k) => UNTESTED[lang][k] ?? [PART[lang][k] ?? (lang === 'en' ? 'another part' : 'другая часть'), ''],
      );
  const items = itemsOf(p.parts);
  const some = [...new Set(itemsOf(p.some).map(([name]) => name))].join(', ');
  const names = [...new Set(items.map(([name]) => name))].join(', ');
  const hows = [...new Set(items.filter(([, how]) => how !== '').map(([name, how]) => `${name}: ${how}`))];
  // Parts one client tested and another did not: tested in this run, for some clients only.
  const partly =
    some === ''
      ? ''
      : lang === 'en'
        ? `tested for some clients only: ${some} (the ➖ lines below name the clients that lack it)`
        : `проверено не у всех клиентов: ${some} (строки ➖ ниже называют клиентов, у которых этого не было)`;
  if (names === '')
    return lang === 'en'
      ? `every part ran for at least one client; ${partly}`
      : `каждая часть выполнялась хотя бы у одного клиента; ${partly}`;
  const tail = partly === '' ? '' : ` ${partly[0]?.toUpperCase()}${partly.slice(1)}.`;
  return lang === 'en'
    ? `not tested in this run: ${names}. The ✅ covers only the parts that ran (listed after the untested ones). To test them: ${hows.join('; ')}.${tail}`
    : `не проверено в этом запуске: ${names}. ✅ относится только к частям, которые выполнялись (они перечислены после непроверенных). Как проверить: ${hows.join('; ')}.${tail}`;
};

/**
 * The calls of a content check whose log holds fewer bytes than strace showed (a log written while
 * the preview was cut at 48 characters: 12 bytes of Cyrillic): how many, and how many bytes each.
 */
const shortKept = (lang: Lang, p: P): string => {
  const calls = Number(p.shortCalls ?? 0);
  if (!(calls > 0)) return '';
  const min = Number(p.shortMin);
  const max = Number(p.shortMax);
  if (lang === 'en') {
    const bytes = min === max ? `${b('en', min)}${calls > 1 ? ' each' : ''}` : `${min} to ${b('en', max)}`;
    return `, and the log holds fewer for ${count('en', calls, CALL.en)} compared: ${bytes}`;
  }
  // «по» with a number: «по 1 байту», «по 2 байта», «по 12 байт».
  const each = { one: 'байту', few: 'байта', many: 'байт', other: 'байта' };
  const bytes =
    min !== max
      ? `от ${min} до ${count('ru', max, 'byte', 'gen')}`
      : calls > 1
        ? `по ${count('ru', min, each)}`
        : b('ru', min);
  const forms = {
    one: 'сравненного вызова',
    other: 'сравненных вызовов',
    genOne: 'сравненного вызова',
    genMany: 'сравненных вызовов',
  };
  return `, а для ${count('ru', calls, forms, 'gen')} журнал сохранил меньше — ${bytes}`;
};

export const OWN_FINDINGS: Record<Lang, Record<OwnFindingCode, (p: P) => string>> = {
  en: {
    ...CHAT_FINDINGS_EN,
    ...stopTexts('en'),
    'own-part-na': (p) => partNaText('en', p),
    'own-untested': (p) => untestedText('en', p),
    'own-pair-ok': (p) =>
      `${p.what}: your client wrote ${b('en', p.clientSent)}, your server read ${p.serverRead} (in ${count('en', Number(p.reads), { one: 'read', other: 'reads' })}, from ${p.seen}) and wrote back ${p.serverSent}, your client read ${p.clientRead}: every byte came back (both traces)`,
    'own-content-ok': (p) =>
      `wherever the trace shows both the bytes read and the bytes written at one offset of a connection, your server wrote the bytes it had read there (${b('en', p.compared)} compared, ${count('en', Number(p.conns), 'connection')}; strace keeps at most the first 32 bytes of each read and write${shortKept('en', p)}; the bytes after those were not compared)`,
    'own-content-diff': (p) =>
      `${p.peer} (fd ${p.fd}): the bytes your server wrote at offset ${p.offset} of the connection differ from the bytes it read there (offsets count from 0): from offset ${p.from} it read "${p.read}" and wrote "${p.written}"${Number(p.diffs) > 1 ? ` (${count('en', Number(p.diffs), 'connection')} like this)` : ''}`,
    'own-pair-diff': (p) =>
      `${p.what}: your client wrote ${b('en', p.clientSent)}, your server read ${p.serverRead} (from ${p.seen}) and wrote back ${p.serverSent}, your client read ${p.clientRead}: the counts differ, so not every byte came back (both traces)`,
    'na-own': (p) =>
      `no own ${p.role} ran (set LAB_OWN_${String(p.role).toUpperCase().replace('-', '_')} to run yours)`,
    'own-failed': (p) => `the lab reported a problem with the run: ${p.reason} (see its log line)`,
    'own-untraced': () => 'ran without strace: the checks that need its socket calls are left out',
    'own-read-ok': (p) =>
      `every read asked the kernel for at most ${b('en', p.limit)} (${count('en', Number(p.reads), READ.en)}, the largest asked for ${b('en', p.max)})`,
    'own-read-big': (p) =>
      `a ${p.call}() asked the kernel for ${b('en', p.size)}, more than the ${b('en', p.limit)} the assignment's 1 KB portions allow (${count('en', Number(p.count), READ.en)} like that)`,
    'own-read-unseen': (p) =>
      `${p.what}: our client read ${b('en', p.received)} back, but the trace does not show the reads that served these bytes: the program escaped tracing or used calls the lab does not trace`,
    'own-bytes-ok': (p) =>
      `${p.what}: the client handed ${b('en', p.sent)} to its socket and read as many back (${p.received}; the counts were compared, not the content)`,
    'own-bytes-diff': (p) =>
      `${p.what}: the client handed ${b('en', p.sent)} to its socket but read ${b('en', p.received)} back: not as many as it sent`,
    'own-served-ok': (p) =>
      `served the ${p.scenario} scenario (${count('en', Number(p.clients), CLIENT.en)})`,
    'own-served-missing': (p) => `the ${p.scenario} client could not connect (${p.code})`,
    'own-bind-loopback': (p) =>
      `bind() to ${p.local}: a loopback address, so the server accepts only connections made to that address, and only a program on the same machine can make them. The classic mistake: a client on a VM or another host dials the machine's network address and cannot connect; bind to 0.0.0.0 (every IPv4 address of the machine)`,
    'own-close-ok': (p) =>
      `when a read returned 0 (the client had closed its side: its FIN arrived), the server closed its socket too (${count('en', Number(p.conns), 'connection')})`,
    'own-close-missing': (p) =>
      `the client ${p.peer} closed its side (a read on fd ${p.fd} returned 0) but the server never closed fd ${p.fd}: the socket leaks`,
    'own-concurrent': (p) =>
      `served ${p.max} clients at once (threads, processes, or one select/poll over all the sockets)`,
    'own-one-at-a-time': (p) =>
      `serves one client at a time: each accept() came only after the previous connection was closed (${count('en', Number(p.conns), 'connection')}); not a failure, the answer to control question 4 shows why non-blocking sockets or threads change this`,
    'own-one-at-a-time-waited': (p) =>
      `serves one client at a time, and a client had to wait: the ${p.scenario} client (${p.client}) connected (the kernel completed the handshake and queued the connection for accept()) and wrote its line to its socket, then waited ${p.waited} s for the echo; all that time no accept() of your server returned: it was still serving ${p.busy}, a connection it had accepted before${Number(p.clients) > 1 ? ` (${p.clients} clients waited)` : ''}. Serve each client in its own thread or process, or wait for events on all the sockets at once (select, poll)`,
    'own-client-echo-server-busy': (p) =>
      `n/a: reads and prints the echo (${p.scenario}): the client wrote its line to its socket and waited ${p.waited} s for the echo, but the server was still serving ${p.busy} and did not take this connection while it waited (see the server's check): nothing to hold against the client`,
    'own-reset-ok': (p) => `a client (${p.peer}) reset its connection and the server kept serving`,
    'own-reset-died': (p) => `a client reset its connection (${p.errno}) and the server ended`,
    'own-client-connected': (p) => `${p.scenario}: connect() to ${p.peer} succeeded`,
    'own-client-not-connected': (p) => `${p.scenario}: the client never connected (${p.errno})`,
    'own-client-sent': (p) =>
      `${p.scenario}: the typed lines were written to the socket whole (${b('en', p.sent)} ${p.newlines === 'without' ? 'without their newlines: your client drops them, which TCP allows; its echo is judged against what it wrote' : 'with their newlines'})`,
    'own-client-sent-diff': (p) =>
      `${p.scenario}: ${b('en', p.expected)} were typed (with newlines; ${b('en', Number(p.expected) - Number(p.lines ?? 0))} without them) but ${b('en', p.sent)} were written to the socket`,
    'own-client-echo': (p) => `${p.scenario}: the echo was read back (${b('en', p.read)}) and printed`,
    'own-client-echo-missing': (p) =>
      `${p.scenario}: the echo was not read back whole (${p.read} of ${b('en', p.expected)}) or not printed${p.line ? ` ("${p.line}")` : ''}`,
    'own-client-exit': (p) => `${p.scenario}: \`exit\` closed the connection and ended the client`,
    'own-client-exit-ignored': (p) => `${p.scenario}: after \`exit\`, ${howEn[String(p.how)] ?? p.how}`,
    'own-client-refused-ok': (p) =>
      `${p.scenario}: the connection was refused and the client said so and ended with code ${p.code}`,
    'own-client-refused-zero': (p) =>
      `${p.scenario}: the connection was refused but the client ended with code ${p.code}, as if all went well`,
    'own-client-traceback': (p) => `${p.scenario}: the client ended with a traceback: ${p.last}`,
  },
  ru: {
    ...CHAT_FINDINGS_RU,
    ...stopTexts('ru'),
    'own-part-na': (p) => partNaText('ru', p),
    'own-untested': (p) => untestedText('ru', p),
    'own-pair-ok': (p) =>
      `${p.what}: ваш клиент записал в сокет ${b('ru', p.clientSent)}, ваш сервер прочитал ${p.serverRead} (за ${count('ru', Number(p.reads), CALL.ru)} чтения; клиент для него — ${p.seen}) и записал обратно ${p.serverSent}, ваш клиент прочитал ${p.clientRead}: вернулись все байты (по обеим трассировкам)`,
    'own-content-ok': (p) =>
      `везде, где трассировка показывает и прочитанные, и записанные байты по одному смещению в соединении, ваш сервер записал те же байты, что прочитал там (сравнено ${b('ru', p.compared)} в ${count('ru', Number(p.conns), IN_CONNECTIONS)}; strace сохраняет не больше первых 32 байт каждого чтения и каждой записи${shortKept('ru', p)}; байты после сохранённых не сравнивались)`,
    'own-content-diff': (p) =>
      `${p.peer} (fd ${p.fd}): байты, которые ваш сервер записал в соединение по смещению ${p.offset}, отличаются от байтов, которые он прочитал из него по тому же смещению (смещения отсчитываются от 0): начиная со смещения ${p.from} прочитано «${p.read}», записано «${p.written}»${Number(p.diffs) > 1 ? ` (таких соединений: ${p.diffs})` : ''}`,
    'own-pair-diff': (p) =>
      `${p.what}: ваш клиент записал в сокет ${b('ru', p.clientSent)}, ваш сервер прочитал ${p.serverRead} (клиент для него — ${p.seen}) и записал обратно ${p.serverSent}, ваш клиент прочитал ${p.clientRead}: числа не совпадают, вернулись не все байты (по обеим трассировкам)`,
    'na-own': (p) =>
      `собственный ${p.role === 'echo-server' ? 'эхо-сервер' : 'эхо-клиент'} не запускался (задайте LAB_OWN_${String(p.role).toUpperCase().replace('-', '_')}, чтобы запустить свой)`,
    'own-failed': (p) =>
      `программа стенда сообщила о проблеме запуска: ${p.reason} (см. строку журнала об этом)`,
    'own-untraced': () =>
      'программа работала без strace: проверки, которым нужны её вызовы с сокетами, пропущены',
    'own-read-ok': (p) =>
      `каждое чтение запрашивало у ядра не больше ${count('ru', Number(p.limit), 'byte', 'gen')} (${count('ru', Number(p.reads), READ.ru)}, самый большой запрос — ${b('ru', p.max)})`,
    'own-read-big': (p) =>
      `${p.call}() запросил у ядра ${b('ru', p.size)} — больше ${count('ru', Number(p.limit), 'byte', 'gen')}, которые допускают порции по 1 КБ из задания (${count('ru', Number(p.count), { one: 'такой вызов', few: 'таких вызова', many: 'таких вызовов', other: 'таких вызова' })})`,
    'own-read-unseen': (p) =>
      `${p.what}: наш клиент прочитал обратно ${b('ru', p.received)}, но в трассировке нет чтений, которые доставили эти байты: программа ушла из-под трассировки или использовала вызовы, которые стенд не трассирует`,
    'own-bytes-ok': (p) =>
      `${p.what}: клиент передал в сокет ${b('ru', p.sent)} и прочитал обратно столько же (${p.received}; сравнивалось количество байт, а не содержимое)`,
    'own-bytes-diff': (p) =>
      `${p.what}: клиент передал в сокет ${b('ru', p.sent)}, а прочитал обратно ${b('ru', p.received)}: не столько, сколько отправил`,
    'own-served-ok': (p) => `сценарий ${p.scenario} обслужен (${count('ru', Number(p.clients), CLIENT.ru)})`,
    'own-served-missing': (p) => `клиент сценария ${p.scenario} не смог подключиться (${p.code})`,
    'own-bind-loopback': (p) =>
      `bind() к ${p.local}: это адрес петлевого интерфейса (loopback), поэтому сервер принимает только соединения на этот адрес, а открыть их может лишь программа на той же машине. Классическая ошибка: клиент на ВМ или другом узле обращается к сетевому адресу машины и подключиться не может; привязывайтесь к 0.0.0.0 (все IPv4-адреса машины)`,
    'own-close-ok': (p) =>
      `когда чтение возвращало 0 (клиент закрыл свою сторону: пришёл его FIN), сервер тоже закрывал свой сокет (${count('ru', Number(p.conns), 'connection')})`,
    'own-close-missing': (p) =>
      `клиент ${p.peer} закрыл свою сторону соединения (чтение на fd ${p.fd} вернуло 0), а сервер так и не закрыл fd ${p.fd}: сокет утекает`,
    'own-concurrent': (p) =>
      `одновременно обслуживалось клиентов: ${p.max} (потоки, процессы или один select/poll по всем сокетам)`,
    'own-one-at-a-time': (p) =>
      `обслуживает клиентов по одному: каждый accept() вызывался только после закрытия предыдущего соединения (${count('ru', Number(p.conns), 'connection')}); это не ошибка, ответ на контрольный вопрос 4 объясняет, что меняют неблокирующие сокеты или потоки`,
    'own-one-at-a-time-waited': (p) =>
      `обслуживает клиентов по одному, и клиенту пришлось ждать: клиент сценария ${p.scenario} (${p.client}) подключился (рукопожатие выполнило ядро и поставило соединение в очередь для accept()) и записал строку в сокет, а потом ${sec(p.waited)} ждал эха; всё это время ни один accept() вашего сервера не вернул соединение: сервер ещё обслуживал ${p.busy} — соединение, принятое раньше${Number(p.clients) > 1 ? ` (ждали клиентов: ${p.clients})` : ''}. Обслуживайте каждого клиента в своём потоке или процессе либо ждите событий сразу на всех сокетах (select, poll)`,
    'own-client-echo-server-busy': (p) =>
      `не применимо: читает и выводит эхо (${p.scenario}): клиент записал строку в сокет и ${sec(p.waited)} ждал эха, но сервер всё это время обслуживал ${p.busy} и не принял это соединение, пока клиент ждал (см. проверку сервера): это не ошибка клиента`,
    'own-reset-ok': (p) => `клиент (${p.peer}) сбросил соединение, а сервер продолжил работу`,
    'own-reset-died': (p) => `клиент сбросил соединение (${p.errno}), и сервер завершился`,
    'own-client-connected': (p) => `${p.scenario}: connect() к ${p.peer} выполнен`,
    'own-client-not-connected': (p) => `${p.scenario}: клиент так и не подключился (${p.errno})`,
    'own-client-sent': (p) =>
      `${p.scenario}: набранные строки записаны в сокет целиком (${b('ru', p.sent)} ${p.newlines === 'without' ? 'без переводов строк: ваш клиент их отбрасывает, и TCP это допускает; эхо сравнивается с тем, что он записал' : 'вместе с переводами строк'})`,
    'own-client-sent-diff': (p) =>
      `${p.scenario}: набрано ${b('ru', p.expected)} с переводами строк (${b('ru', Number(p.expected) - Number(p.lines ?? 0))} без них), а в сокет записано ${b('ru', p.sent)}`,
    'own-client-echo': (p) => `${p.scenario}: эхо прочитано (${b('ru', p.read)}) и выведено на экран`,
    'own-client-echo-missing': (p) =>
      `${p.scenario}: эхо прочитано не целиком (${p.read} из ${count('ru', Number(p.expected), 'byte', 'gen')}) или не выведено${p.line ? ` («${p.line}»)` : ''}`,
    'own-client-exit': (p) => `${p.scenario}: \`exit\` закрыл соединение и завершил клиент`,
    'own-client-exit-ignored': (p) => `${p.scenario}: после \`exit\` ${howRu[String(p.how)] ?? p.how}`,
    'own-client-refused-ok': (p) =>
      `${p.scenario}: в соединении отказано, клиент сообщил об этом и завершился с кодом ${p.code}`,
    'own-client-refused-zero': (p) =>
      `${p.scenario}: в соединении отказано, а клиент завершился с кодом ${p.code}, как будто всё в порядке`,
    'own-client-traceback': (p) =>
      `${p.scenario}: клиент завершился с трассировкой стека (traceback): ${p.last}`,
  },
};

/**
 * One example of each finding's parameters, as the checks give them: test/texts-catalogue.test.ts
 * renders every finding from it in both languages (and with every number set to 0, 1, 2, 5, 21...)
 * to catch a noun that does not agree with its number and English left in a Russian sentence.
 */
export const OWN_FINDING_EXAMPLES: Record<OwnFindingCode, P> = {
  'na-own': { role: 'echo-server' },
  'own-failed': { reason: 'never-listened' },
  'own-untraced': {},
  'own-read-ok': { limit: 1024, reads: 3, max: 1024 },
  'own-read-big': { call: 'recvfrom', size: 4096, limit: 1024, count: 2 },
  'own-read-unseen': { what: 'echo-vm (vm)', received: 2507 },
  'own-bytes-ok': { what: 'echo-vm (vm)', sent: 2507, received: 2507 },
  'own-bytes-diff': { what: 'echo-vm (vm)', sent: 2507, received: 1024 },
  'own-served-ok': { scenario: 'vm', clients: 2 },
  'own-served-missing': { scenario: 'vm', code: 'ECONNREFUSED' },
  'own-bind-loopback': { local: '127.0.0.1:7007' },
  'own-close-ok': { conns: 3 },
  'own-close-missing': { peer: '198.18.7.3:41234', fd: 5 },
  'own-concurrent': { max: 2 },
  'own-one-at-a-time': { conns: 3 },
  'own-one-at-a-time-waited': {
    scenario: 'vm',
    client: '192.0.2.2:56734',
    waited: 6.6,
    busy: '127.0.0.1:58406',
    clients: 2,
  },
  'own-client-echo-server-busy': { scenario: 'vm', waited: 6.6, busy: '127.0.0.1:58406' },
  'own-reset-ok': { peer: '198.18.7.3:41234' },
  'own-reset-died': { errno: 'ECONNRESET' },
  'own-client-connected': { scenario: 'vm', peer: '198.18.7.10:7007' },
  'own-client-not-connected': { scenario: 'vm', errno: 'ECONNREFUSED' },
  'own-client-sent': { scenario: 'vm', sent: 6, newlines: 'with' },
  'own-client-sent-diff': { scenario: 'vm', expected: 2507, lines: 2, sent: 1024 },
  'own-client-echo': { scenario: 'vm', read: 6 },
  'own-client-echo-missing': { scenario: 'vm', read: 1024, expected: 2507, line: 'hello' },
  'own-client-exit': { scenario: 'vm' },
  'own-client-exit-ignored': { scenario: 'vm', how: 'sent' },
  'own-client-refused-ok': { scenario: 'vm', code: 1 },
  'own-client-refused-zero': { scenario: 'vm', code: 0 },
  'own-client-traceback': { scenario: 'vm', last: 'ConnectionRefusedError: [Errno 111] Connection refused' },
  'own-part-na': { part: 'bytes', reason: 'no-client', scenario: 'vm' },
  'na-members': { seen: 1 },
  'na-probe': {},
  'na-remote': {},
  'na-incoming': { client: 'vm' },
  'na-incoming-untraced': { client: 'vm' },
  'na-incoming-address': { client: 'vm' },
  'na-incoming-server': { client: 'vm' },
  'na-exit': { client: 'vm' },
  'na-unreachable': { client: 'vm' },
  'relay-ok': { datagrams: 4, members: 2, labels: 'remote, vm' },
  'relay-missing': { missing: 1, datagrams: 4, from: '198.18.7.3:36614', to: '198.18.7.2:43355' },
  'not-back-ok': { datagrams: 4 },
  'back-to-sender': { back: 5, datagrams: 5, peer: '198.18.7.3:36614' },
  'garbage-ok': { probes: 3, empty: 1, largest: 65507, probe: '127.0.0.1:40000' },
  'garbage-died': { probes: 3, empty: 1, largest: 65507, code: 1, probe: '127.0.0.1:40000' },
  'garbage-stalled': { probes: 3, empty: 1, largest: 65507, probe: '127.0.0.1:40000' },
  'nat-ok': { label: 'remote', own: '198.18.8.2', router: '198.18.7.2:43355' },
  'nat-own-address': { label: 'remote', own: '198.18.8.2', router: '198.18.7.2:43355' },
  'nat-not-answered': { label: 'remote', own: '198.18.8.2', router: '198.18.7.2:43355' },
  'nat-untranslated': { label: 'remote', own: '198.18.8.2', router: '198.18.7.2' },
  'nat-own-unknown': { label: 'remote', router: '198.18.7.2' },
  'typing-ok': { client: 'vm', text: 'bob: hi', ms: 4, how: 'threads' },
  'typing-after-enter': { client: 'vm', text: 'bob: hi', waitedMs: 2500 },
  'typing-never-shown': { client: 'vm', text: 'bob: hi' },
  'exit-ok': { client: 'vm', ms: 14, code: 0 },
  'exit-not-ended': { client: 'vm', limitMs: 5000, how: 'still running' },
  'unreachable-ok': { client: 'vm', code: 1 },
  'unreachable-traceback': { client: 'vm' },
  'unreachable-silent': { client: 'vm', ended: 'yes' },
  'unreachable-waited': { client: 'vm' },
  'own-untested': { parts: 'reset,refused', some: 'exit' },
  'own-stop-exited': { role: 'echo-client', program: 'lab-echo-vm', code: 0, last: 'bye' },
  'own-stop-handled': {
    role: 'echo-server',
    program: 'lab-own-echo-server',
    code: 0,
    last: 'Server stopped',
  },
  'own-stop-killed': {
    role: 'chat-client',
    program: 'lab-chat-vm',
    code: 143,
    signal: 'SIGTERM',
    number: 15,
    grace: 'no',
    last: 'bob: hi',
    python: 'yes',
    why: 'other',
    shell: 'Terminated',
  },
  'own-stop-missing': { role: 'echo-server', program: 'lab-own-echo-server' },
  'chat-direction-untested': {
    from: 'vm',
    to: 'remote',
    reason: 'before',
    senders: 'stud-chat-vm (vm)',
    receivers: 'stud-chat-remote (remote)',
    messages: 2,
    shown: 'remote → vm',
    join: 'datagram',
  },
  'own-pair-ok': {
    what: 'vm',
    seen: '198.18.7.3:40000',
    clientSent: 1347,
    serverRead: 1347,
    serverSent: 1347,
    clientRead: 1347,
    reads: 4,
  },
  'own-content-ok': { conns: 2, compared: 20, shortCalls: 2, shortMin: 12, shortMax: 12 },
  'own-content-diff': {
    peer: '127.0.0.1:40000',
    fd: 5,
    offset: 5,
    from: 0,
    read: 'from A\\n',
    written: 'from B\\n',
    diffs: 2,
  },
  'own-pair-diff': {
    what: 'vm',
    seen: '198.18.7.3:40000',
    clientSent: 1347,
    serverRead: 1347,
    serverSent: 1024,
    clientRead: 1024,
    reads: 2,
  },
};
