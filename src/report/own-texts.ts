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
      'Your echo server: 1 KB reads, exact echo, every scenario, closes, concurrency, resets',
    'own-echo-client': 'Your echo client: connects, sends the line whole, prints the echo, `exit`, refusal',
    'own-chat-server':
      'Your chat server: relays to every other member, not back, survives odd datagrams, NAT',
    'own-chat-client': 'Your chat client: shows messages before Enter, `exit`, an unreachable server',
  },
  ru: {
    'own-echo-server':
      'Ваш эхо-сервер: чтение по 1 КБ, точное эхо, все сценарии, закрытие, параллельность, сброс',
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
  sent: 'it sent `exit` to the server as a line instead of ending',
  'kept-running': 'it closed the socket but did not end by itself',
  'no-close': 'it did not close the connection',
};
const howRu: Record<string, string> = {
  sent: 'он отправил `exit` серверу как обычную строку, вместо того чтобы завершиться',
  'kept-running': 'он закрыл сокет, но сам не завершился',
  'no-close': 'он не закрыл соединение',
};

/** The parts a check names in its title, and why a part had nothing to judge (own-part-na). */
const PART: Record<Lang, Record<string, string>> = {
  en: {
    reads: '1 KB reads',
    bytes: 'every byte came back',
    close: 'closes a connection the client closed',
    reset: "survives a client's reset",
    sent: 'sends the typed line whole',
    echo: 'reads and prints the echo',
    exit: '`exit` ends the client',
    refused: 'a refused connection',
  },
  ru: {
    reads: 'чтение по 1 КБ',
    bytes: 'все байты вернулись',
    close: 'закрывает соединение, закрытое клиентом',
    reset: 'переживает сброс соединения клиентом',
    sent: 'отправляет набранную строку целиком',
    echo: 'читает и выводит эхо',
    exit: '`exit` завершает клиента',
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
    'not-run': 'клиент не запускался на порт, который никто не слушает (запуски лаборатории этого не делают)',
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
      'переживает сброс соединения клиентом',
      "запуск лаборатории соединения не сбрасывает: закройте сокет клиента с SO_LINGER, равным 0 (в Python: `s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))`, затем `s.close()`), и ядро отправит RST вместо FIN",
    ],
    sent: [
      'отправляет набранную строку целиком',
      'введите строку в клиент (`docker attach` к его контейнеру)',
    ],
    echo: ['читает и выводит эхо', 'введите строку в клиент (`docker attach` к его контейнеру)'],
    exit: ['`exit` завершает клиента', 'введите в клиент `exit`'],
    refused: [
      'отказ в соединении',
      'запуск лаборатории никогда не направляет ваш клиент на закрытый порт: запустите его вручную на такой порт, например `npx socket-lab own --role echo-client --host 127.0.0.1 --port 1 --log-file logs/refused.jsonl`, и передайте этот журнал команде `report` вместе с остальными',
    ],
    'na-unreachable': [
      'недоступный сервер',
      'запуск лаборатории никогда не направляет ваш клиент на закрытый порт: запустите его вручную на такой порт, например `npx socket-lab own --role chat-client --host 127.0.0.1 --port 1 --log-file logs/unreachable.jsonl`, и передайте этот журнал команде `report` вместе с остальными',
    ],
    'na-probe': [
      'странные дейтаграммы',
      'запуск лаборатории их не отправляет, и этот отчёт их не оценивает: отправьте серверу сами дейтаграмму не в UTF-8, пустую и размером 65 507 байт и убедитесь, что он продолжает пересылать',
    ],
    'na-remote': ['NAT', 'запустите клиент chat-remote (за маршрутизатором) и введите в него строку'],
    'nat-own-unknown': ['NAT', 'привяжите сокет клиента до отправки, чтобы трассировка показала его адрес'],
    'nat-not-answered': [
      'NAT',
      'сервер ничего не отправил участнику за маршрутизатором: см. часть о пересылке',
    ],
    'na-exit': ['`exit` завершает клиента', 'введите в клиент `exit`'],
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
  const items = String(p.parts)
    .split(',')
    .filter((k) => k !== '')
    // A part without its own entry is named by the title's part, never by its code.
    .map(
      (k) => UNTESTED[lang][k] ?? [PART[lang][k] ?? (lang === 'en' ? 'another part' : 'другая часть'), ''],
    );
  const names = [...new Set(items.map(([name]) => name))].join(', ');
  const hows = [...new Set(items.filter(([, how]) => how !== '').map(([name, how]) => `${name}: ${how}`))];
  return lang === 'en'
    ? `not tested in this run: ${names}. The ✅ covers only the parts that ran (listed after the untested ones). To test them: ${hows.join('; ')}`
    : `не проверено в этом запуске: ${names}. ✅ относится только к частям, которые выполнялись (они перечислены после непроверенных). Как проверить: ${hows.join('; ')}`;
};

export const OWN_FINDINGS: Record<Lang, Record<OwnFindingCode, (p: P) => string>> = {
  en: {
    ...CHAT_FINDINGS_EN,
    'own-part-na': (p) => partNaText('en', p),
    'own-untested': (p) => untestedText('en', p),
    'own-pair-ok': (p) =>
      `${p.what}: your client wrote ${b('en', p.clientSent)}, your server read ${p.serverRead} (in ${count('en', Number(p.reads), { one: 'read', other: 'reads' })}, from ${p.seen}) and wrote back ${p.serverSent}, your client read ${p.clientRead}: every byte came back (both traces)`,
    'own-pair-diff': (p) =>
      `${p.what}: your client wrote ${b('en', p.clientSent)}, your server read ${p.serverRead} (from ${p.seen}) and wrote back ${p.serverSent}, your client read ${p.clientRead}: the counts differ, so not every byte came back (both traces)`,
    'na-own': (p) =>
      `no own ${p.role} ran (set LAB_OWN_${String(p.role).toUpperCase().replace('-', '_')} to run yours)`,
    'own-failed': (p) => `the lab reported a problem with the run: ${p.reason} (see its line)`,
    'own-untraced': () => 'ran without strace: the checks that need its socket calls are left out',
    'own-read-ok': (p) =>
      `every read asked the kernel for at most ${b('en', p.limit)} (${p.reads} reads, the largest asked for ${p.max})`,
    'own-read-big': (p) =>
      `a ${p.call}() asked the kernel for ${b('en', p.size)}, more than the ${p.limit} the assignment's 1 KB portions allow (${p.count} such reads)`,
    'own-bytes-ok': (p) => `${p.what}: sent ${b('en', p.sent)}, all of them came back (${p.received})`,
    'own-bytes-diff': (p) =>
      `${p.what}: sent ${b('en', p.sent)} but got ${p.received} back: the echo lost or added bytes`,
    'own-served-ok': (p) =>
      `served the ${p.scenario} scenario (${count('en', Number(p.clients), CLIENT.en)})`,
    'own-served-missing': (p) => `the ${p.scenario} client could not connect (${p.code})`,
    'own-bind-loopback': (p) =>
      `bind() to ${p.local}: a loopback address, reachable only from the same machine. The classic mistake: a VM or another host cannot connect; bind to 0.0.0.0 (every address of the machine)`,
    'own-close-ok': (p) =>
      `when a client closed (read returned 0), the server closed its socket too (${count('en', Number(p.conns), 'connection')})`,
    'own-close-missing': (p) =>
      `the client ${p.peer} closed (read returned 0 on fd ${p.fd}) but the server never closed fd ${p.fd}: the socket leaks`,
    'own-concurrent': (p) => `served ${p.max} clients at once (a thread, process or poll per client)`,
    'own-one-at-a-time': (p) =>
      `serves one client at a time: each accept() came only after the previous connection was closed (${count('en', Number(p.conns), 'connection')}); not a failure, the answer to control question 4 shows why non-blocking sockets or threads change this`,
    'own-one-at-a-time-waited': (p) =>
      `serves one client at a time, and a client had to wait: the ${p.scenario} client (${p.client}) connected (the kernel completed the handshake and queued the connection for accept()) and sent its line, then waited ${p.waited} s for the echo; all that time no accept() of your server returned: it was still serving ${p.busy}, a connection it had accepted before${Number(p.clients) > 1 ? ` (${p.clients} clients waited)` : ''}. Serve each client in its own thread or process, or wait for events on all the sockets at once (select, poll)`,
    'own-client-echo-server-busy': (p) =>
      `n/a: reads and prints the echo (${p.scenario}): the client sent its line and waited ${p.waited} s for the echo, but the server was still serving ${p.busy} and did not take this connection while it waited (see the server's check): nothing to hold against the client`,
    'own-reset-ok': (p) => `a client (${p.peer}) reset its connection and the server kept serving`,
    'own-reset-died': (p) => `a client reset its connection (${p.errno}) and the server ended`,
    'own-client-connected': (p) => `${p.scenario}: connect() to ${p.peer} succeeded`,
    'own-client-not-connected': (p) => `${p.scenario}: the client never connected (${p.errno})`,
    'own-client-sent': (p) =>
      `${p.scenario}: the typed lines went out whole (${b('en', p.sent)} with their newlines)`,
    'own-client-sent-diff': (p) =>
      `${p.scenario}: ${b('en', p.expected)} were typed (with newlines) but ${p.sent} were written to the socket`,
    'own-client-echo': (p) => `${p.scenario}: the echo was read back (${b('en', p.read)}) and printed`,
    'own-client-echo-missing': (p) =>
      `${p.scenario}: the echo was not read back whole (${p.read} of ${p.expected} bytes) or not printed${p.line ? ` ("${p.line}")` : ''}`,
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
    'own-part-na': (p) => partNaText('ru', p),
    'own-untested': (p) => untestedText('ru', p),
    'own-pair-ok': (p) =>
      `${p.what}: ваш клиент записал в сокет ${b('ru', p.clientSent)}, ваш сервер прочитал ${p.serverRead} (чтений: ${p.reads}; клиент для него — ${p.seen}) и записал обратно ${p.serverSent}, ваш клиент прочитал ${p.clientRead}: вернулись все байты (по обеим трассировкам)`,
    'own-pair-diff': (p) =>
      `${p.what}: ваш клиент записал в сокет ${b('ru', p.clientSent)}, ваш сервер прочитал ${p.serverRead} (клиент для него — ${p.seen}) и записал обратно ${p.serverSent}, ваш клиент прочитал ${p.clientRead}: числа не совпадают, вернулись не все байты (по обеим трассировкам)`,
    'na-own': (p) =>
      `собственный ${p.role === 'echo-server' ? 'эхо-сервер' : 'эхо-клиент'} не запускался (задайте LAB_OWN_${String(p.role).toUpperCase().replace('-', '_')}, чтобы запустить свой)`,
    'own-failed': (p) => `лаборатория сообщила о проблеме запуска: ${p.reason} (см. её строку)`,
    'own-untraced': () =>
      'программа работала без strace: проверки, которым нужны её вызовы с сокетами, пропущены',
    'own-read-ok': (p) =>
      `каждое чтение запрашивало у ядра не больше ${count('ru', Number(p.limit), 'byte', 'gen')} (чтений: ${p.reads}, самое большое запрашивало ${p.max})`,
    'own-read-big': (p) =>
      `${p.call}() запросил у ядра ${b('ru', p.size)} — больше ${p.limit}, которые допускают порции по 1 КБ из задания (таких чтений: ${p.count})`,
    'own-bytes-ok': (p) => `${p.what}: отправлено ${b('ru', p.sent)}, все вернулись (${p.received})`,
    'own-bytes-diff': (p) =>
      `${p.what}: отправлено ${b('ru', p.sent)}, а вернулось ${p.received}: эхо потеряло или добавило байты`,
    'own-served-ok': (p) => `сценарий ${p.scenario} обслужен (${count('ru', Number(p.clients), CLIENT.ru)})`,
    'own-served-missing': (p) => `клиент сценария ${p.scenario} не смог подключиться (${p.code})`,
    'own-bind-loopback': (p) =>
      `bind() к ${p.local}: это адрес loopback, до него можно достучаться только с той же машины. Классическая ошибка: ни ВМ, ни другой узел не подключатся; привязывайтесь к 0.0.0.0 (все адреса машины)`,
    'own-close-ok': (p) =>
      `когда клиент закрывал соединение (чтение вернуло 0), сервер тоже закрывал свой сокет (${count('ru', Number(p.conns), 'connection')})`,
    'own-close-missing': (p) =>
      `клиент ${p.peer} закрыл соединение (чтение на fd ${p.fd} вернуло 0), а сервер так и не закрыл fd ${p.fd}: сокет утекает`,
    'own-concurrent': (p) =>
      `одновременно обслуживалось клиентов: ${p.max} (поток, процесс или poll на каждого клиента)`,
    'own-one-at-a-time': (p) =>
      `обслуживает клиентов по одному: каждый accept() вызывался только после закрытия предыдущего соединения (${count('ru', Number(p.conns), 'connection')}); это не ошибка, ответ на контрольный вопрос 4 объясняет, что меняют неблокирующие сокеты или потоки`,
    'own-one-at-a-time-waited': (p) =>
      `обслуживает клиентов по одному, и клиенту пришлось ждать: клиент сценария ${p.scenario} (${p.client}) подключился (рукопожатие выполнило ядро и поставило соединение в очередь для accept()) и отправил строку, а потом ${sec(p.waited)} ждал эха; всё это время ни один accept() вашего сервера не вернул соединение: сервер ещё обслуживал ${p.busy} — соединение, принятое раньше${Number(p.clients) > 1 ? ` (ждали клиентов: ${p.clients})` : ''}. Обслуживайте каждого клиента в своём потоке или процессе либо ждите событий сразу на всех сокетах (select, poll)`,
    'own-client-echo-server-busy': (p) =>
      `не применимо: читает и выводит эхо (${p.scenario}): клиент отправил строку и ${sec(p.waited)} ждал эха, но сервер всё это время обслуживал ${p.busy} и не принял это соединение, пока клиент ждал (см. проверку сервера): это не ошибка клиента`,
    'own-reset-ok': (p) => `клиент (${p.peer}) сбросил соединение, а сервер продолжил работу`,
    'own-reset-died': (p) => `клиент сбросил соединение (${p.errno}), и сервер завершился`,
    'own-client-connected': (p) => `${p.scenario}: connect() к ${p.peer} выполнен`,
    'own-client-not-connected': (p) => `${p.scenario}: клиент так и не подключился (${p.errno})`,
    'own-client-sent': (p) =>
      `${p.scenario}: набранные строки ушли целиком (${b('ru', p.sent)} вместе с переводами строк)`,
    'own-client-sent-diff': (p) =>
      `${p.scenario}: набрано ${b('ru', p.expected)} (с переводами строк), а в сокет записано ${p.sent}`,
    'own-client-echo': (p) => `${p.scenario}: эхо прочитано (${b('ru', p.read)}) и выведено на экран`,
    'own-client-echo-missing': (p) =>
      `${p.scenario}: эхо прочитано не целиком (${p.read} из ${p.expected} байт) или не выведено${p.line ? ` («${p.line}»)` : ''}`,
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
