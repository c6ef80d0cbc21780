/**
 * One catalogue of the errors socket-lab reports to people. A LabError is made from an entry of
 * ERROR_TEXTS and its parameters: `labError('chat-nick-taken', { target, nick })`. Callers and
 * tests branch on `code` (LAB_ERR_..., stable), never on the message; the message is the entry's
 * English sentence, and `localized(lang)` looks the same entry up in another language. No sentence is
 * ever parsed to translate it.
 */
import { type Sentence, sentence } from './text/catalogue.js';
import type { Lang } from './text/lang.js';
import { CHAT_LIMIT_SETTING, TCP_LIMIT_SETTING } from './limits.js';
import { count } from './text/plural.js';

export type LabErrorCode =
  | 'LAB_ERR_CONNECT_REFUSED'
  | 'LAB_ERR_CONNECT_TIMEOUT'
  | 'LAB_ERR_HOST_NOT_FOUND'
  | 'LAB_ERR_NETWORK_UNREACHABLE'
  | 'LAB_ERR_ADDR_IN_USE'
  | 'LAB_ERR_ADDR_NOT_AVAILABLE'
  | 'LAB_ERR_PERMISSION'
  | 'LAB_ERR_CONNECTION_LOST'
  | 'LAB_ERR_CHAT_NO_ANSWER'
  | 'LAB_ERR_CHAT_REFUSED'
  | 'LAB_ERR_SERVER_LIMIT'
  | 'LAB_ERR_NO_NAME'
  | 'LAB_ERR_BAD_INPUT'
  | 'LAB_ERR_BAD_OPTION'
  | 'LAB_ERR_SOCKET';

/**
 * Codes for a command used wrongly (a value out of range, a file that cannot be read): the exit
 * code is 2, as for commander's own usage errors. Every other LabError is a runtime failure (exit 1).
 */
export const USAGE_ERRORS: ReadonlySet<LabErrorCode> = new Set([
  'LAB_ERR_BAD_OPTION',
  'LAB_ERR_BAD_INPUT',
  'LAB_ERR_NO_NAME',
]);

/** One short sentence per code: what a log line of an older version (a message, no entry) is shown with. */
export const CODE_SUMMARY = {
  LAB_ERR_CONNECT_REFUSED: sentence(
    {},
    () => 'connection refused',
    () => 'в соединении отказано',
  ),
  LAB_ERR_CONNECT_TIMEOUT: sentence(
    {},
    () => 'no answer in time',
    () => 'время ожидания истекло',
  ),
  LAB_ERR_HOST_NOT_FOUND: sentence(
    {},
    () => 'host name not found',
    () => 'имя хоста не найдено',
  ),
  LAB_ERR_NETWORK_UNREACHABLE: sentence(
    {},
    () => 'network unreachable',
    () => 'сеть недоступна',
  ),
  LAB_ERR_ADDR_IN_USE: sentence(
    {},
    () => 'address and port in use',
    () => 'адрес и порт уже заняты',
  ),
  LAB_ERR_ADDR_NOT_AVAILABLE: sentence(
    {},
    () => 'address not on this machine',
    () => 'этого адреса нет на этой машине',
  ),
  LAB_ERR_PERMISSION: sentence(
    {},
    () => 'permission denied',
    () => 'доступ запрещён',
  ),
  LAB_ERR_CONNECTION_LOST: sentence(
    {},
    () => 'connection lost',
    () => 'соединение потеряно',
  ),
  LAB_ERR_CHAT_NO_ANSWER: sentence(
    {},
    () => 'the chat server does not answer',
    () => 'чат-сервер не отвечает',
  ),
  LAB_ERR_CHAT_REFUSED: sentence(
    {},
    () => 'the chat server refused',
    () => 'чат-сервер отказал во входе',
  ),
  LAB_ERR_SERVER_LIMIT: sentence(
    {},
    () => 'the server refused the connection: a limit is reached',
    () => 'сервер отказал в соединении: достигнут предел',
  ),
  LAB_ERR_NO_NAME: sentence(
    {},
    () => "the student's name is not set",
    () => 'не указано имя студента',
  ),
  LAB_ERR_BAD_INPUT: sentence(
    {},
    () => 'bad input',
    () => 'неверные входные данные',
  ),
  LAB_ERR_BAD_OPTION: sentence(
    {},
    () => 'bad option value',
    () => 'недопустимое значение параметра',
  ),
  LAB_ERR_SOCKET: sentence(
    {},
    () => 'socket error',
    () => 'ошибка сокета',
  ),
} satisfies Record<LabErrorCode, Sentence<object>>;

/** The operation a socket error interrupted, by name and address: "connect to 10.0.0.5:7007". */
export interface Operation {
  op: 'connect' | 'listen-tcp' | 'bind-udp' | 'reach-chat' | 'talk' | 'send' | 'join-chat';
  /** host:port */
  at: string;
}

/** The operations, as the object of "cannot ...": one function per language. */
export const OPERATIONS: { readonly [K in Operation['op']]: Sentence<{ at: string }> } = {
  connect: sentence(
    { at: '10.0.0.5:7007' },
    (p) => `connect to ${p.at}`,
    (p) => `подключиться к ${p.at}`,
  ),
  'listen-tcp': sentence(
    { at: '0.0.0.0:7007' },
    (p) => `listen on ${p.at} (TCP)`,
    (p) => `слушать ${p.at} (TCP)`,
  ),
  'bind-udp': sentence(
    { at: '0.0.0.0:7008' },
    (p) => `bind ${p.at} (UDP)`,
    (p) => `привязать UDP-сокет к ${p.at}`,
  ),
  'reach-chat': sentence(
    { at: '10.0.0.5:7008' },
    (p) => `reach the chat server ${p.at}`,
    (p) => `связаться с чат-сервером ${p.at}`,
  ),
  talk: sentence(
    { at: '10.0.0.5:7007' },
    (p) => `talk to ${p.at}`,
    (p) => `обмениваться данными с ${p.at}`,
  ),
  send: sentence(
    { at: '10.0.0.5:7007' },
    (p) => `send to ${p.at}`,
    (p) => `отправить данные на ${p.at}`,
  ),
  'join-chat': sentence(
    { at: '10.0.0.5:7008' },
    (p) => `join the chat at ${p.at}`,
    (p) => `войти в чат на ${p.at}`,
  ),
};

const op = (o: Operation, lang: Lang) => OPERATIONS[o.op][lang]({ at: o.at });

/** Why the echo server refused a connection; the reasons of its refusal line (tcp/refusal.ts). */
export type RefusalWhy = 'max-per-address' | 'max-connections' | 'server-stopping';

/**
 * The second half of a refusal: which limit, the counts, and the setting that raises it. The server's
 * refusal line carries the English one for `nc`; our client and the log reader say it in their own
 * language from the reason and the counts, never from the line's words.
 */
export const REFUSAL_WHY: { readonly [K in RefusalWhy]: Sentence<{ open: number; max: number }> } = {
  'max-per-address': sentence(
    { open: 64, max: 64 },
    (p) =>
      `this address already holds ${p.open} of the ${p.max} connections the server allows one address (everyone behind one NAT is one address to it); the server raises the limit with ${TCP_LIMIT_SETTING['max-per-address']}, or --class-size`,
    (p) =>
      `соединений с этого адреса уже ${p.open}, а одному адресу сервер разрешает не больше ${p.max} (всех, кто за одним NAT, сервер видит как один адрес); предел поднимают на сервере: ${TCP_LIMIT_SETTING['max-per-address']} или --class-size`,
  ),
  'max-connections': sentence(
    { open: 100, max: 100 },
    (p) =>
      `all the server's connection slots are taken (${p.open} of ${p.max}); the server raises the limit with ${TCP_LIMIT_SETTING['max-connections']}`,
    (p) =>
      `у сервера заняты все места для соединений (открыто: ${p.open}, предел: ${p.max}); предел поднимают на сервере: ${TCP_LIMIT_SETTING['max-connections']}`,
  ),
  'server-stopping': sentence(
    { open: 3, max: 100 },
    () => 'the server is stopping',
    () => 'сервер останавливается',
  ),
};

/** Which of the student's names a submission lacks. */
export type MissingName = 'name-and-group' | 'name' | 'group';
const NAME_SETTINGS: Record<MissingName, { settings: string; en: string; ru: string }> = {
  'name-and-group': {
    settings: 'LAB_STUDENT, LAB_GROUP',
    en: '--student "Surname Name" --group',
    ru: '--student "Фамилия Имя" --group',
  },
  name: { settings: 'LAB_STUDENT', en: '--student "Surname Name"', ru: '--student "Фамилия Имя"' },
  group: { settings: 'LAB_GROUP', en: '--group', ru: '--group' },
};

/**
 * Why an archive was refused (classroom/tar.ts): the code selects the sentence, the grade sheet
 * shows it as the submission's reason. Paths come from the archive: data, shown as they are.
 */
export type TarRefusal =
  | { code: 'not-tar' }
  | { code: 'truncated' }
  | { code: 'bad-path'; path: string }
  | { code: 'link'; path: string; type: string }
  | { code: 'special'; path: string; type: string }
  | { code: 'member-type'; path: string; type: string }
  | { code: 'too-many-members'; limit: number }
  | { code: 'member-too-big'; path: string; limit: number }
  | { code: 'duplicate-member'; path: string };

const MiB = (n: number, lang: Lang) => `${Math.round(n / 1048576)} ${lang === 'ru' ? 'МиБ' : 'MiB'}`;

/** One sentence per refusal of a tar archive. */
export const TAR_REFUSALS: {
  readonly [K in TarRefusal['code']]: Sentence<Omit<Extract<TarRefusal, { code: K }>, 'code'>>;
} = {
  'not-tar': sentence(
    {},
    () => 'no tar archive inside (or a corrupt header)',
    () => 'внутри gzip не tar-архив (или повреждён заголовок)',
  ),
  truncated: sentence(
    {},
    () => 'the tar archive is truncated',
    () => 'tar-архив обрезан',
  ),
  'bad-path': sentence(
    { path: '../../etc/passwd' },
    (p) => `unsafe member path: ${p.path} (absolute, or with ..)`,
    (p) => `опасный путь в архиве: ${p.path} (абсолютный или с \`..\`)`,
  ),
  link: sentence(
    { path: 'logs/x.jsonl', type: 'symbolic link' },
    (p) => `a ${p.type} in the archive: ${p.path}`,
    (p) => `в архиве ссылка (${p.type}): ${p.path}`,
  ),
  special: sentence(
    { path: 'logs/fifo', type: 'FIFO' },
    (p) => `a ${p.type} in the archive: ${p.path}`,
    (p) => `в архиве специальный файл (${p.type}): ${p.path}`,
  ),
  'member-type': sentence(
    { path: 'logs/x', type: 'pax extended header' },
    (p) => `unsupported member (${p.type}): ${p.path}`,
    (p) => `в архиве запись неподдерживаемого типа (${p.type}): ${p.path}`,
  ),
  'too-many-members': sentence(
    { limit: 256 },
    (p) => `more than ${p.limit} members in the archive`,
    (p) => `в архиве больше ${p.limit} записей`,
  ),
  'member-too-big': sentence(
    { path: 'logs/lab-server.jsonl', limit: 32 * 1048576 },
    (p) => `member larger than ${MiB(p.limit, 'en')}: ${p.path}`,
    (p) => `файл в архиве больше ${MiB(p.limit, 'ru')}: ${p.path}`,
  ),
  'duplicate-member': sentence(
    { path: 'manifest.json' },
    (p) => `the same member twice: ${p.path}`,
    (p) => `файл встречается в архиве дважды: ${p.path}`,
  ),
};

const tarRefusal = (r: TarRefusal, lang: Lang) => (TAR_REFUSALS[r.code] as Sentence<unknown>)[lang](r);

/** What a bound of the report's reading (report/limits.ts READ_LIMITS) is about. */
export type ReadLimit = 'line' | 'source' | 'foreign';
/** What a bound of one run (report/limits.ts RUN_LIMITS) counts. */
export type RunLimit = 'maxPrograms' | 'maxConversations' | 'maxChatLines' | 'maxOwnLines';
const RUN_LIMIT_NOUNS: Record<RunLimit, Record<Lang, string>> = {
  maxPrograms: { en: 'programs (pids)', ru: 'процессов' },
  maxConversations: { en: 'connections and sessions', ru: 'соединений и сеансов' },
  maxChatLines: { en: 'chat message lines', ru: 'строк сообщений чата' },
  maxOwnLines: {
    en: "lines of the student's own programs (own.call, own.output)",
    ru: 'строк о собственных программах студента (own.call, own.output)',
  },
};

/** An entry of the error catalogue: its code and its sentence. */
export type ErrorEntry<P> = Sentence<P> & { readonly code: LabErrorCode };

function error<P>(code: LabErrorCode, example: P, en: (p: P) => string, ru: (p: P) => string): ErrorEntry<P> {
  return { code, ...sentence(example, en, ru) };
}

const CONNECT: Operation = { op: 'connect', at: '10.0.0.5:7007' };
const NICK_RULE = {
  en: 'use 1 to 16 letters, digits, "_" or "-"',
  ru: 'нужны от 1 до 16 букв, цифр, «_» или «-»',
};

export const ERROR_TEXTS = {
  // ---- socket errors (explainSocketError) -------------------------------------------------
  'socket-refused': error(
    'LAB_ERR_CONNECT_REFUSED',
    { op: CONNECT },
    (p) =>
      `cannot ${op(p.op, 'en')}: connection refused (no socket listens on that address and port, or a firewall rejected the connection; is the server running and bound to an address this machine can reach?)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: в соединении отказано (на этом адресе и порту нет слушающего сокета, или соединение отклонил межсетевой экран; запущен ли сервер и привязан ли он к адресу, доступному с этой машины?)`,
  ),
  'socket-timeout': error(
    'LAB_ERR_CONNECT_TIMEOUT',
    { op: CONNECT },
    (p) =>
      `cannot ${op(p.op, 'en')}: no answer in time (a firewall may drop the packets, or the address is wrong)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: нет ответа за отведённое время (пакеты может отбрасывать межсетевой экран, или адрес неверен)`,
  ),
  'socket-host-not-found': error(
    'LAB_ERR_HOST_NOT_FOUND',
    { op: { op: 'connect', at: 'serverr:7007' } as Operation },
    (p) =>
      `cannot ${op(p.op, 'en')}: the host name does not resolve (check the spelling, or use an IP address)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: имя хоста не разрешается в адрес (проверьте написание или укажите IP-адрес)`,
  ),
  'socket-unreachable': error(
    'LAB_ERR_NETWORK_UNREACHABLE',
    { op: CONNECT },
    (p) => `cannot ${op(p.op, 'en')}: no route to that network from this machine`,
    (p) => `не удалось ${op(p.op, 'ru')}: с этой машины нет маршрута в ту сеть`,
  ),
  'socket-in-use': error(
    'LAB_ERR_ADDR_IN_USE',
    { op: { op: 'listen-tcp', at: '0.0.0.0:7007' } as Operation },
    (p) =>
      `cannot ${op(p.op, 'en')}: the port is already in use by another program (stop it, or choose another port)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: порт уже занят другой программой (остановите её или выберите другой порт)`,
  ),
  'socket-not-available': error(
    'LAB_ERR_ADDR_NOT_AVAILABLE',
    { op: { op: 'listen-tcp', at: '10.9.9.9:7007' } as Operation },
    (p) =>
      `cannot ${op(p.op, 'en')}: that address does not belong to this machine (use 0.0.0.0 to listen on all addresses)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: этот адрес не принадлежит этой машине (чтобы слушать на всех адресах, укажите 0.0.0.0)`,
  ),
  'socket-permission': error(
    'LAB_ERR_PERMISSION',
    { op: { op: 'listen-tcp', at: '0.0.0.0:80' } as Operation },
    (p) =>
      `cannot ${op(p.op, 'en')}: permission denied (ports below 1024 need administrator rights; use a higher port)`,
    (p) =>
      `не удалось ${op(p.op, 'ru')}: доступ запрещён (для портов ниже 1024 нужны права администратора; выберите порт повыше)`,
  ),
  'socket-reset': error(
    'LAB_ERR_CONNECTION_LOST',
    { op: { op: 'talk', at: '10.0.0.5:7007' } as Operation },
    (p) => `${op(p.op, 'en')}: the connection was reset by the other side`,
    (p) => `${op(p.op, 'ru')}: другая сторона сбросила соединение (RST)`,
  ),
  'socket-other': error(
    'LAB_ERR_SOCKET',
    { op: CONNECT, reason: 'EMFILE' },
    (p) => `cannot ${op(p.op, 'en')}: ${p.reason}`,
    (p) => `не удалось ${op(p.op, 'ru')}: ошибка сокета \`${p.reason}\``,
  ),

  // ---- the echo client ----------------------------------------------------------------------
  'send-closed': error(
    'LAB_ERR_CONNECTION_LOST',
    { remote: '10.0.0.5:7007' },
    (p) => `cannot send to ${p.remote}: the connection is closed`,
    (p) => `не удалось отправить данные на ${p.remote}: соединение уже закрыто`,
  ),
  'echo-cut-short': error(
    'LAB_ERR_CONNECTION_LOST',
    { remote: '10.0.0.5:7007', received: 3, sent: 22 },
    (p) =>
      `the server at ${p.remote} closed the connection before echoing everything (${p.received} of ${count('en', p.sent, 'byte')} came back)`,
    (p) =>
      `сервер ${p.remote} закрыл соединение, не вернув всё эхо (вернулось ${p.received} из ${count('ru', p.sent, 'byte', 'gen')})`,
  ),
  'echo-incomplete': error(
    'LAB_ERR_CONNECT_TIMEOUT',
    { remote: '10.0.0.5:7007', ms: 10_000, received: 3, sent: 22 },
    (p) =>
      `the echo from ${p.remote} is incomplete after ${p.ms} ms (${p.received} of ${count('en', p.sent, 'byte')} came back)`,
    (p) =>
      `эхо от ${p.remote} не вернулось полностью за ${p.ms} мс (вернулось ${p.received} из ${count('ru', p.sent, 'byte', 'gen')})`,
  ),
  'server-closed': error(
    'LAB_ERR_CONNECTION_LOST',
    { remote: '10.0.0.5:7007' },
    (p) => `the server ${p.remote} closed the connection`,
    (p) => `сервер ${p.remote} закрыл соединение`,
  ),

  // ---- the chat client ----------------------------------------------------------------------
  'nick-invalid': error(
    'LAB_ERR_BAD_INPUT',
    { nick: 'a b' },
    (p) => `the nickname "${p.nick}" is not allowed: ${NICK_RULE.en}`,
    (p) => `ник «${p.nick}» не подходит: ${NICK_RULE.ru}`,
  ),
  'chat-port-unreachable': error(
    'LAB_ERR_CONNECT_REFUSED',
    { target: '10.0.0.5:7008' },
    // What the socket learnt: an ICMP "port unreachable" came back for a datagram, and the
    // connected UDP socket reported it as ECONNREFUSED. The destination host sends it when no
    // socket is bound to that port; a firewall that rejects (iptables REJECT) sends the same.
    (p) =>
      `cannot join the chat at ${p.target}: an ICMP "port unreachable" came back for the datagram sent there (ECONNREFUSED on the connected UDP socket): no UDP socket is bound to that port on that host, or a firewall on the way rejected the datagram`,
    (p) =>
      `не удалось войти в чат на ${p.target}: на отправленную туда дейтаграмму пришло ICMP-сообщение «port unreachable» (порт недоступен; подключённый UDP-сокет сообщает об этом ошибкой «ECONNREFUSED»): на этом хосте к этому порту не привязан ни один UDP-сокет, или дейтаграмму отклонил межсетевой экран на пути`,
  ),
  'chat-no-answer': error(
    'LAB_ERR_CHAT_NO_ANSWER',
    { target: '10.0.0.5:7008', tries: 5, port: 7008 },
    (p) =>
      `cannot join the chat at ${p.target}: no answer after ${count('en', p.tries, 'try')} (is the server running, and is UDP port ${p.port} reachable?)`,
    (p) =>
      `не удалось войти в чат на ${p.target}: нет ответа после ${count('ru', p.tries, 'try')} (запущен ли сервер и доступен ли UDP-порт ${p.port}?)`,
  ),
  'chat-unexpected-answer': error(
    'LAB_ERR_SOCKET',
    { to: 'HELLO' as 'HELLO' | 'JOIN' },
    (p) => `unexpected answer to ${p.to}`,
    (p) => `неожиданный ответ на ${p.to}`,
  ),
  'chat-nick-refused': error(
    'LAB_ERR_CHAT_REFUSED',
    { target: '10.0.0.5:7008', nick: 'bob' },
    (p) =>
      `cannot join the chat at ${p.target}: the server does not accept the nickname "${p.nick}" (${NICK_RULE.en})`,
    (p) => `не удалось войти в чат на ${p.target}: сервер не принимает ник «${p.nick}» (${NICK_RULE.ru})`,
  ),
  'chat-nick-taken': error(
    'LAB_ERR_CHAT_REFUSED',
    { target: '10.0.0.5:7008', nick: 'bob' },
    (p) =>
      `cannot join the chat at ${p.target}: the nickname "${p.nick}" is already taken in this chat: choose another with --nick`,
    (p) =>
      `не удалось войти в чат на ${p.target}: ник «${p.nick}» в этом чате уже занят: выберите другой через --nick`,
  ),
  // `limit` is what the server sent after `ERR room-full` (absent from older servers and logs).
  'chat-full': error(
    'LAB_ERR_CHAT_REFUSED',
    { target: '10.0.0.5:7008', limit: 60 as number | undefined },
    (p) =>
      `cannot join the chat at ${p.target}: the chat is full: every place is taken${p.limit === undefined ? '' : ` (limit: ${p.limit})`}; the server sets how many with ${CHAT_LIMIT_SETTING['room-full']}`,
    (p) =>
      `не удалось войти в чат на ${p.target}: чат заполнен: заняты все места${p.limit === undefined ? '' : ` (предел: ${p.limit})`}; их число задают на сервере: ${CHAT_LIMIT_SETTING['room-full']}`,
  ),
  'chat-refused': error(
    'LAB_ERR_CHAT_REFUSED',
    { target: '10.0.0.5:7008', code: 'new-reason' },
    (p) => `cannot join the chat at ${p.target}: the server refused (${p.code})`,
    (p) => `не удалось войти в чат на ${p.target}: сервер отказал (код \`${p.code}\`)`,
  ),
  'chat-not-joined': error(
    'LAB_ERR_CHAT_NO_ANSWER',
    { left: true },
    (p) =>
      `not sent: the client is not in the chat right now (${p.left ? 'it has left' : 'joining again after losing the server'})`,
    (p) =>
      `не отправлено: клиент сейчас не в чате (${p.left ? 'он уже вышел' : 'входит снова после потери сервера'})`,
  ),
  'chat-message-too-long': error(
    'LAB_ERR_BAD_INPUT',
    { bytes: 1500, max: 1000 },
    (p) =>
      `the message is ${count('en', p.bytes, 'byte')}; a chat message may have at most ${count('en', p.max, 'byte')} (one datagram)`,
    (p) =>
      `в сообщении ${count('ru', p.bytes, 'byte')}, а в сообщении чата может быть не больше ${count('ru', p.max, 'byte', 'gen')} (одна дейтаграмма)`,
  ),

  // ---- a student's own program (socket-lab own) ----------------------------------------------
  'own-command-empty': error(
    'LAB_ERR_BAD_OPTION',
    {},
    () =>
      'the command is empty: set it in .env (e.g. LAB_OWN_ECHO_SERVER=python3 server.py {port}) or pass --command',
    () =>
      'команда пуста: задайте её в .env (например, `LAB_OWN_ECHO_SERVER=python3 server.py {port}`) или укажите --command',
  ),
  // A placeholder of the command template with no value to put in.
  'own-placeholder-missing': error(
    'LAB_ERR_BAD_OPTION',
    { key: 'port' as 'host' | 'port' | 'nick' },
    (p) => `the command uses {${p.key}} but no ${p.key} was given (--${p.key})`,
    (p) => `в команде есть \`{${p.key}}\`, но значение для него не задано (--${p.key})`,
  ),
  // `value` is shown JSON-quoted: it may hold anything the user typed.
  'own-placeholder-bad': error(
    'LAB_ERR_BAD_OPTION',
    { key: 'host' as 'host' | 'port' | 'nick', value: '"1.2.3.4; rm -rf /"' },
    (p) =>
      `--${p.key} ${p.value} is not a valid ${p.key} (it goes into a shell command, so only plain characters are allowed)`,
    (p) =>
      `--${p.key} ${p.value}: недопустимое значение (оно подставляется в команду оболочки, поэтому разрешены только простые символы)`,
  ),
  // A value with a leading '-' would reach the student's program as one of its options.
  'own-placeholder-option': error(
    'LAB_ERR_BAD_OPTION',
    { key: 'host' as 'host' | 'port' | 'nick', value: '"-lvp"' },
    (p) =>
      `--${p.key} ${p.value} starts with '-', so your program would take it for one of its options: give a plain ${p.key}`,
    (p) =>
      `--${p.key} ${p.value} начинается с «-», и ваша программа приняла бы его за свой ключ: укажите обычное значение`,
  ),
  'own-dir-missing': error(
    'LAB_ERR_BAD_OPTION',
    { dir: '/own' },
    (p) => `the program folder ${p.dir} does not exist (set LAB_OWN_DIR, or --dir)`,
    (p) => `папки с программой ${p.dir} не существует (задайте LAB_OWN_DIR или --dir)`,
  ),
  'own-user-missing': error(
    'LAB_ERR_BAD_OPTION',
    { user: 'student' },
    (p) => `there is no user ${p.user} here to run the program as (LAB_OWN_USER)`,
    (p) => `здесь нет пользователя ${p.user}, от имени которого запускать программу (LAB_OWN_USER)`,
  ),
  'own-strace-missing': error(
    'LAB_ERR_BAD_OPTION',
    {},
    () => 'strace is not installed here (install it, or run with --trace off)',
    () => 'strace здесь не установлен (установите его или запустите с `--trace off`)',
  ),

  // ---- options and files --------------------------------------------------------------------
  'option-range': error(
    'LAB_ERR_BAD_OPTION',
    { name: 'port', min: 1, max: 65535, value: 70000 },
    (p) => `${p.name} must be a whole number from ${p.min} to ${p.max}, got ${p.value}`,
    (p) => `${p.name}: нужно целое число от ${p.min} до ${p.max}, а задано ${p.value}`,
  ),
  'log-file-unwritable': error(
    'LAB_ERR_BAD_INPUT',
    { file: '/logs/lab-server.jsonl', reason: 'EACCES: permission denied' },
    (p) => `cannot write the log file ${p.file}: ${p.reason} (check --log-file / LAB_LOG_FILE)`,
    (p) =>
      `не удалось записать файл журнала ${p.file}: \`${p.reason}\` (проверьте --log-file / LAB_LOG_FILE)`,
  ),
  'file-unwritable': error(
    'LAB_ERR_BAD_INPUT',
    { file: 'ivanov_IU7-31_socket-lab.tar.gz', reason: 'EACCES' },
    (p) => `cannot write ${p.file}: ${p.reason}`,
    (p) => `не удалось записать ${p.file}: \`${p.reason}\``,
  ),

  // ---- the router (net/router.ts, cli/router.ts) --------------------------------------------
  'router-not-a-number': error(
    'LAB_ERR_BAD_OPTION',
    { name: 'LAB_WAN_LOSS', value: '30%' },
    (p) => `${p.name}="${p.value}" is not a number: set ${p.name} in .env to a number such as 0 or 30`,
    (p) => `${p.name}="${p.value}" — не число: задайте ${p.name} в .env числом, например 0 или 30`,
  ),
  'router-wan-not-ipv4': error(
    'LAB_ERR_BAD_OPTION',
    { address: '198.18.8.x' },
    (p) => `the router's wan address "${p.address}" is not an IPv4 address: set LAB_WAN_ROUTER_IP in .env`,
    (p) => `адрес маршрутизатора в сети wan "${p.address}" — не адрес IPv4: задайте LAB_WAN_ROUTER_IP в .env`,
  ),
  'router-server-not-ipv4': error(
    'LAB_ERR_BAD_OPTION',
    { address: '198.18.7.x' },
    (p) => `the server's address "${p.address}" is not an IPv4 address: set LAB_SERVER_IP in .env`,
    (p) => `адрес сервера "${p.address}" — не адрес IPv4: задайте LAB_SERVER_IP в .env`,
  ),
  'router-bad-port': error(
    'LAB_ERR_BAD_OPTION',
    { proto: 'tcp' as 'tcp' | 'udp', port: 0 },
    (p) => `the router's ${p.proto} port ${p.port} is not a port from 1 to 65535`,
    (p) => `${p.proto === 'tcp' ? 'TCP' : 'UDP'}-порт маршрутизатора ${p.port} — не порт от 1 до 65535`,
  ),
  'router-bad-loss': error(
    'LAB_ERR_BAD_OPTION',
    { value: 101 },
    (p) => `LAB_WAN_LOSS=${p.value} is not a percentage: set it in .env to a number from 0 to 100`,
    (p) => `LAB_WAN_LOSS=${p.value} — не процент: задайте в .env число от 0 до 100`,
  ),
  'router-bad-delay': error(
    'LAB_ERR_BAD_OPTION',
    { value: 60_000, max: 10_000 },
    (p) =>
      `LAB_WAN_DELAY=${p.value} is not a delay the lab accepts: set it in .env to whole milliseconds from 0 to ${p.max}`,
    (p) =>
      `LAB_WAN_DELAY=${p.value} — такую задержку лабораторная не принимает: задайте в .env целое число миллисекунд от 0 до ${p.max}`,
  ),
  'router-no-wan-interface': error(
    'LAB_ERR_BAD_OPTION',
    { address: '198.18.8.254', have: 'eth0 198.18.7.2/24' },
    (p) =>
      `the router has no interface with its wan address ${p.address} (it has: ${p.have}): set LAB_WAN_ROUTER_IP in .env to an address inside LAB_WAN_SUBNET`,
    (p) =>
      `у маршрутизатора нет интерфейса с его адресом в сети wan ${p.address} (есть: ${p.have}): задайте LAB_WAN_ROUTER_IP в .env адресом из LAB_WAN_SUBNET`,
  ),
  'router-no-vm-interface': error(
    'LAB_ERR_BAD_OPTION',
    { server: '198.18.7.10', have: 'eth0 198.18.8.254/24' },
    (p) =>
      `the router has no interface on the server's network (${p.server}; it has: ${p.have}): set LAB_SERVER_IP in .env to an address inside LAB_VM_SUBNET`,
    (p) =>
      `у маршрутизатора нет интерфейса в сети сервера (${p.server}; есть: ${p.have}): задайте LAB_SERVER_IP в .env адресом из LAB_VM_SUBNET`,
  ),
  'router-one-network': error(
    'LAB_ERR_BAD_OPTION',
    { wan: '198.18.7.254', server: '198.18.7.10' },
    (p) =>
      `the router's wan address ${p.wan} and the server ${p.server} are on one network: LAB_WAN_SUBNET and LAB_VM_SUBNET must differ`,
    (p) =>
      `адрес маршрутизатора в сети wan ${p.wan} и сервер ${p.server} в одной сети: LAB_WAN_SUBNET и LAB_VM_SUBNET должны различаться`,
  ),
  'router-tool-missing': error(
    'LAB_ERR_BAD_INPUT',
    { program: 'iptables' },
    (p) => `${p.program} is not installed: run the router from the lab's tools image`,
    (p) => `${p.program} не установлен: запускайте маршрутизатор из образа инструментов лабораторной`,
  ),
  'router-command-failed': error(
    'LAB_ERR_SOCKET',
    { command: 'iptables -t nat -A PREROUTING ...', said: 'Permission denied (you must be root)' },
    (p) =>
      `${p.command} failed: ${p.said} (the router needs cap_add NET_ADMIN and NET_RAW, see docker-compose.yml)`,
    (p) =>
      `команда \`${p.command}\` не выполнена: «${p.said}» (маршрутизатору нужны cap_add NET_ADMIN и NET_RAW, см. docker-compose.yml)`,
  ),

  'router-command-denied': error(
    'LAB_ERR_PERMISSION',
    { command: 'iptables -t nat -A PREROUTING ...', said: 'Permission denied (you must be root)' },
    (p) =>
      `${p.command} failed: ${p.said} (the router needs cap_add NET_ADMIN and NET_RAW, see docker-compose.yml)`,
    (p) =>
      `команда \`${p.command}\` не выполнена: «${p.said}» (маршрутизатору нужны cap_add NET_ADMIN и NET_RAW, см. docker-compose.yml)`,
  ),

  'docs-block-missing': error(
    'LAB_ERR_BAD_INPUT',
    { file: 'docs/performance.md', start: '<!-- bench:start -->', end: '<!-- bench:end -->' },
    (p) => `${p.file} has no ${p.start} ... ${p.end} block to replace`,
    (p) => `в ${p.file} нет блока ${p.start} ... ${p.end}, который нужно заменить`,
  ),

  // ---- the hand-in bundle -------------------------------------------------------------------
  'bundle-not-a-directory': error(
    'LAB_ERR_BAD_INPUT',
    { dir: 'logs/lab-server.jsonl' },
    (p) => `${p.dir} is not a directory: give the folder that holds the lab's logs (e.g. logs/)`,
    (p) => `${p.dir} — не каталог: укажите папку с журналами лабораторной (например, logs/)`,
  ),
  'bundle-no-logs': error(
    'LAB_ERR_BAD_INPUT',
    { dir: 'logs' },
    (p) =>
      `no *.jsonl logs in ${p.dir}: run the lab first (docker compose up, or socket-lab demo --log-dir ${p.dir})`,
    (p) =>
      `в ${p.dir} нет журналов *.jsonl: сначала запустите лабораторную (\`docker compose up\` или \`socket-lab demo --log-dir ${p.dir}\`)`,
  ),
  'bundle-too-large': error(
    'LAB_ERR_BAD_INPUT',
    { file: 'logs/capture.pcap', totalMiB: 64, fileMiB: 16 },
    (p) =>
      `${p.file}: the submission would be larger than grading reads (${p.totalMiB} MiB in all, ${p.fileMiB} MiB a file): leave large captures out`,
    (p) =>
      `${p.file}: работа получится больше, чем читает проверка (всего ${p.totalMiB} МиБ, ${p.fileMiB} МиБ на файл): не кладите в неё большие записи трафика`,
  ),
  // ustar keeps a member's name in 100 bytes and its folders in 155: a longer file name cannot be packed.
  'bundle-name-too-long': error(
    'LAB_ERR_BAD_INPUT',
    { path: 'ivanov_IU7-31_socket-lab/logs/lab-echo-vm-with-a-very-long-name.jsonl' },
    (p) =>
      `cannot pack ${p.path}: the name is too long for a tar archive (at most 100 bytes for the file's own name, 155 for its folders): rename the file`,
    (p) =>
      `не удалось упаковать ${p.path}: имя слишком длинное для tar-архива (не больше 100 байт на имя самого файла и 155 на путь к его папке): переименуйте файл`,
  ),
  'bundle-no-lab-lines': error(
    'LAB_ERR_BAD_INPUT',
    { dir: 'logs' },
    (p) => `the *.jsonl files in ${p.dir} hold no socket-lab log line: nothing to hand in`,
    (p) => `в файлах *.jsonl из ${p.dir} нет ни одной строки журнала socket-lab: сдавать нечего`,
  ),

  // `reason` is the report's own refusal (a bound passed, a file that is not a log of the lab), as its fields.
  'bundle-not-lab-logs': error(
    'LAB_ERR_BAD_INPUT',
    {
      dir: 'logs',
      reason: {
        code: 'LAB_ERR_BAD_INPUT',
        message: 'x.jsonl: more than 100000 lines are not socket-lab log lines',
        text: 'read-limit',
        params: { limit: 'foreign', source: 'x.jsonl', line: 100_123, bytes: 100_000 },
      } as ErrorFields,
    },
    (p) =>
      `the logs in ${p.dir} are not one run of the lab, nothing was packed: ${localizeErrorText(p.reason, 'en')}`,
    (p) =>
      `журналы в ${p.dir} не похожи на один запуск лабораторной, работа не собрана: ${localizeErrorText(p.reason, 'ru')}`,
  ),

  // ---- what the report, grade and wire read ------------------------------------------------
  'input-missing': error(
    'LAB_ERR_BAD_INPUT',
    { path: 'logs/lab-srver.jsonl' },
    (p) => `${p.path}: no such file or directory`,
    (p) => `${p.path}: нет такого файла или каталога`,
  ),
  'input-unreadable': error(
    'LAB_ERR_BAD_INPUT',
    { path: 'logs', reason: 'EACCES' },
    (p) => `${p.path}: cannot read it (${p.reason})`,
    (p) => `${p.path}: не удалось прочитать (\`${p.reason}\`)`,
  ),
  'input-no-logs': error(
    'LAB_ERR_BAD_INPUT',
    { dir: 'logs' },
    (p) => `${p.dir}: no *.jsonl files in this directory (collect the logs first: socket-lab collect)`,
    (p) => `${p.dir}: в этом каталоге нет файлов *.jsonl (сначала соберите журналы: \`socket-lab collect\`)`,
  ),
  'server-log-not-a-file': error(
    'LAB_ERR_BAD_INPUT',
    { file: 'logs' },
    (p) => `${p.file}: --server-log takes one file, the server's *.jsonl`,
    (p) => `${p.file}: --server-log принимает один файл: журнал сервера *.jsonl`,
  ),
  // A bound of READ_LIMITS passed: `bytes` is the bound (bytes, or lines for 'foreign'), `line` 1-based.
  'read-limit': error(
    'LAB_ERR_BAD_INPUT',
    { limit: 'line' as ReadLimit, source: 'lab-server.jsonl', line: 12, bytes: 1048576 },
    (p) =>
      p.limit === 'line'
        ? `line ${p.line} of ${p.source} is longer than ${p.bytes / 1048576} MiB`
        : p.limit === 'foreign'
          ? `${p.source}: more than ${count('en', p.bytes, 'line')} are not socket-lab log lines (up to line ${p.line}): not a log of the lab`
          : `${p.source} is larger than ${p.bytes / 1048576} MiB (read up to line ${p.line})`,
    (p) =>
      p.limit === 'line'
        ? `строка ${p.line} файла ${p.source} длиннее ${p.bytes / 1048576} МиБ`
        : p.limit === 'foreign'
          ? `${p.source}: больше ${count('ru', p.bytes, 'line', 'gen')} — не строки журнала socket-lab (прочитано до строки ${p.line}): это не журнал лабораторной`
          : `${p.source} больше ${p.bytes / 1048576} МиБ (прочитано до строки ${p.line})`,
  ),
  // A bound of RUN_LIMITS passed: `count` things where at most `limit` make one run.
  'run-limit': error(
    'LAB_ERR_BAD_INPUT',
    { what: 'maxPrograms' as RunLimit, count: 1500, limit: 1024 },
    (p) =>
      `the logs hold more than ${p.limit} ${RUN_LIMIT_NOUNS[p.what].en} (${p.count}): that is not one run of the lab; not read`,
    (p) =>
      `в журналах больше ${p.limit} ${RUN_LIMIT_NOUNS[p.what].ru} (${p.count}): это не один запуск лабораторной; журналы не прочитаны`,
  ),
  'tar-refused': error(
    'LAB_ERR_BAD_INPUT',
    { refusal: { code: 'truncated' } as TarRefusal },
    (p) => `the archive is refused: ${tarRefusal(p.refusal, 'en')}`,
    (p) => `архив отклонён: ${tarRefusal(p.refusal, 'ru')}`,
  ),

  'report-no-input': error(
    'LAB_ERR_BAD_INPUT',
    {},
    () =>
      'give log files or a directory (e.g. socket-lab report logs/), or pipe the logs in (... | socket-lab report -)',
    () =>
      'укажите файлы журналов или каталог (например, `socket-lab report logs/`) или передайте журналы через конвейер (`... | socket-lab report -`)',
  ),

  // ---- socket-lab collect -------------------------------------------------------------------
  'collect-from-missing': error(
    'LAB_ERR_BAD_INPUT',
    { dir: '/logs' },
    (p) => `${p.dir} does not exist: is the logs volume mounted there?`,
    (p) => `${p.dir} не существует: смонтирован ли туда том с журналами?`,
  ),
  'collect-no-logs': error(
    'LAB_ERR_BAD_INPUT',
    { dir: '/logs' },
    (p) => `no *.jsonl files in ${p.dir}: run the lab first (docker compose up)`,
    (p) => `в ${p.dir} нет файлов *.jsonl: сначала запустите лабораторную (\`docker compose up\`)`,
  ),

  // ---- refusals: a server limit (tcp/refusal.ts, the chat's ERR) ------------------------------
  'server-refused': error(
    'LAB_ERR_SERVER_LIMIT',
    { remote: '10.0.0.5:7007', reason: 'max-per-address' as RefusalWhy, open: 64, max: 64 },
    (p) => `the server ${p.remote} refused the connection: ${REFUSAL_WHY[p.reason].en(p)}`,
    (p) => `сервер ${p.remote} отказал в соединении: ${REFUSAL_WHY[p.reason].ru(p)}`,
  ),
  'server-refused-unknown': error(
    'LAB_ERR_SERVER_LIMIT',
    { remote: '10.0.0.5:7007' },
    (p) => `the server ${p.remote} refused the connection: the server's line is in the log (client.refused)`,
    (p) => `сервер ${p.remote} отказал в соединении: строка сервера — в журнале (client.refused)`,
  ),
  'chat-address-full': error(
    'LAB_ERR_CHAT_REFUSED',
    { target: '10.0.0.5:7008', limit: 32 as number | undefined },
    (p) =>
      `cannot join the chat at ${p.target}: this address already has as many members in the chat as the server allows one address${p.limit === undefined ? '' : ` (limit: ${p.limit})`}; everyone behind one NAT is one address to the server; it raises the limit with ${CHAT_LIMIT_SETTING['address-full']}, or --class-size`,
    (p) =>
      `не удалось войти в чат на ${p.target}: с этого адреса в чате уже столько участников, сколько сервер разрешает одному адресу${p.limit === undefined ? '' : ` (предел: ${p.limit})`}; всех, кто за одним NAT, сервер видит как один адрес; предел поднимают на сервере: ${CHAT_LIMIT_SETTING['address-full']} или --class-size`,
  ),

  // ---- the hand-in: a nameless submission -----------------------------------------------------
  'no-name': error(
    'LAB_ERR_NO_NAME',
    { missing: 'name-and-group' as MissingName },
    (p) =>
      `no submission made: ${{ 'name-and-group': 'your name and group are', name: 'your name is', group: 'your group is' }[p.missing]} not set (set ${NAME_SETTINGS[p.missing].settings} in .env, or give ${NAME_SETTINGS[p.missing].en}; --anonymous makes one without them)`,
    (p) =>
      `файл для сдачи не создан: ${{ 'name-and-group': 'не указаны ваши имя и группа', name: 'не указано ваше имя', group: 'не указана ваша группа' }[p.missing]} (задайте ${NAME_SETTINGS[p.missing].settings} в .env или укажите ${NAME_SETTINGS[p.missing].ru}; --anonymous создаёт файл без них)`,
  ),
  // `docker compose run --rm report`: the reports are written, only the submission is missing.
  'no-name-collect': error(
    'LAB_ERR_NO_NAME',
    { missing: 'name' as MissingName },
    (p) =>
      `no submission was made: ${{ 'name-and-group': 'your name and group are', name: 'your name is', group: 'your group is' }[p.missing]} not set; fill in ${NAME_SETTINGS[p.missing].settings} in .env and run this command again (the reports above are written)`,
    (p) =>
      `файл для сдачи не создан: ${{ 'name-and-group': 'не указаны ваши имя и группа', name: 'не указано ваше имя', group: 'не указана ваша группа' }[p.missing]}; заполните ${NAME_SETTINGS[p.missing].settings} в .env и запустите эту команду снова (отчёты выше записаны)`,
  ),
} as const;

export type ErrorText = keyof typeof ERROR_TEXTS;
type EntryParams<K extends ErrorText> = (typeof ERROR_TEXTS)[K] extends ErrorEntry<infer P> ? P : never;

export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;
  /** The catalogue entry and its parameters; absent for an error made from a bare sentence. */
  readonly text: ErrorText | undefined;
  readonly params: unknown;

  /** An error from the catalogue: its code, English message and every translation come from `text`. */
  constructor(text: ErrorText, params: EntryParams<ErrorText>, options?: { cause?: unknown });
  /**
   * @deprecated A bare English sentence: other languages can show only the code's summary beside
   * it. Add an entry to ERROR_TEXTS instead.
   */
  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown });
  constructor(key: ErrorText | LabErrorCode, detail: unknown, options?: { cause?: unknown }) {
    const entry =
      typeof detail === 'string' ? undefined : (ERROR_TEXTS[key as ErrorText] as ErrorEntry<unknown>);
    super(entry ? entry.en(detail) : String(detail), options);
    this.code = entry ? entry.code : (key as LabErrorCode);
    this.text = entry ? (key as ErrorText) : undefined;
    this.params = entry ? detail : undefined;
  }

  /** The message in `lang`, looked up by the entry (or, for a bare sentence, the code's summary beside it). */
  localized(lang: Lang): string {
    return localizeErrorText(
      { code: this.code, message: this.message, text: this.text, params: this.params },
      lang,
    );
  }
}

/** A catalogue error, typed by its entry: labError('chat-full', { target }). */
export function labError<K extends ErrorText>(
  text: K,
  params: EntryParams<K>,
  options?: { cause?: unknown },
): LabError {
  return new LabError(text, params as EntryParams<ErrorText>, options);
}

/**
 * The parameters of `err` when it is a LabError made from entry `text`, else undefined: how a caller
 * reads what a refusal carries (grade turns a read limit into a row's reason) without parsing it.
 */
export function errorParams<K extends ErrorText>(err: unknown, text: K): EntryParams<K> | undefined {
  return err instanceof LabError && err.text === text ? (err.params as EntryParams<K>) : undefined;
}

/**
 * Runs `write` (of `file`); a write the system refuses (no permission, a full disk, a missing
 * folder) is the user's to fix: one coded sentence naming the file (`file-unwritable`), not a bug.
 */
export async function writing<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string') throw err;
    throw labError('file-unwritable', { file, reason: code }, { cause: err });
  }
}

/** The fields a LabError gives an event (server.error, client.error), so a log reader can render it in any language. */
export interface ErrorFields {
  code: string;
  message: string;
  text?: string;
  params?: unknown;
}

export const errorFields = (e: LabError): ErrorFields =>
  e.text
    ? { code: e.code, message: e.message, text: e.text, params: e.params }
    : { code: e.code, message: e.message };

const isLabCode = (code: string): code is LabErrorCode => Object.hasOwn(CODE_SUMMARY, code);

/**
 * An error as a log line or a LabError carries it, in `lang`: the entry when there is one (looked up,
 * never parsed); else English as it is, and another language the code's summary with the English
 * beside it (a line of an older version, or a system error code such as EMFILE).
 */
export function localizeErrorText(f: ErrorFields, lang: Lang): string {
  if (f.text && Object.hasOwn(ERROR_TEXTS, f.text)) {
    try {
      return (ERROR_TEXTS[f.text as ErrorText] as ErrorEntry<unknown>)[lang](f.params);
    } catch {
      // Parameters a log line got wrong (a hand-edited log): the message it carries instead.
    }
  }
  if (lang === 'en') return f.message;
  if (isLabCode(f.code)) return `${CODE_SUMMARY[f.code][lang]({})} (${f.code}: ${f.message})`;
  return lang === 'ru' ? `системная ошибка ${f.code} (${f.message})` : f.message;
}

/** The message of `err` (a LabError, or anything thrown) in `lang`; anything else is a bug and keeps its text. */
export function localizeError(err: unknown, lang: Lang): string {
  if (err instanceof LabError) return err.localized(lang);
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns a Node socket error into a LabError whose message is one sentence a student can act on.
 * `what` names the operation and its address: { op: 'connect', at: '10.0.0.5:7007' }.
 */
export function explainSocketError(err: unknown, what: Operation): LabError {
  if (err instanceof LabError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const p = { op: what };
  const cause = { cause: err };
  switch (code) {
    case 'ECONNREFUSED':
      return labError('socket-refused', p, cause);
    case 'ETIMEDOUT':
      return labError('socket-timeout', p, cause);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return labError('socket-host-not-found', p, cause);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return labError('socket-unreachable', p, cause);
    case 'EADDRINUSE':
      return labError('socket-in-use', p, cause);
    case 'EADDRNOTAVAIL':
      return labError('socket-not-available', p, cause);
    case 'EACCES':
    case 'EPERM':
      return labError('socket-permission', p, cause);
    case 'ECONNRESET':
    case 'EPIPE':
      return labError('socket-reset', p, cause);
    default:
      return labError(
        'socket-other',
        { op: what, reason: err instanceof Error ? err.message : String(err) },
        cause,
      );
  }
}
