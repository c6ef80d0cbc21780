/**
 * Russian versions of the error sentences in src/errors.ts and of the other LabError messages.
 *
 * A LabError carries a stable code and one English sentence. The sentences are built from a few
 * known shapes ("cannot <what>: <why>"), so each shape is matched here and rebuilt in Russian with
 * the same values (addresses, counts, nicknames). A message of a shape this table does not know
 * still gets a Russian sentence for its code, with the English text beside it, so a Russian screen
 * never shows an English sentence alone.
 */
import type { LabErrorCode } from '../errors.js';
import { count } from './plural.js';

type Lang = 'en' | 'ru';

/** One short Russian sentence per code: the fallback when a message has an unknown shape. */
export const ERROR_SUMMARY_RU: Record<LabErrorCode, string> = {
  LAB_ERR_CONNECT_REFUSED: 'в соединении отказано',
  LAB_ERR_CONNECT_TIMEOUT: 'время ожидания истекло',
  LAB_ERR_HOST_NOT_FOUND: 'имя хоста не найдено',
  LAB_ERR_NETWORK_UNREACHABLE: 'сеть недоступна',
  LAB_ERR_ADDR_IN_USE: 'адрес и порт уже заняты',
  LAB_ERR_ADDR_NOT_AVAILABLE: 'этого адреса нет на этой машине',
  LAB_ERR_PERMISSION: 'доступ запрещён',
  LAB_ERR_CONNECTION_LOST: 'соединение потеряно',
  LAB_ERR_CHAT_NO_ANSWER: 'чат-сервер не отвечает',
  LAB_ERR_CHAT_REFUSED: 'чат-сервер отказал во входе',
  LAB_ERR_SERVER_LIMIT: 'сервер отказал в соединении: достигнут предел',
  LAB_ERR_NO_NAME: 'не указано имя студента',
  LAB_ERR_BAD_INPUT: 'неверные входные данные',
  LAB_ERR_BAD_OPTION: 'недопустимое значение параметра',
  LAB_ERR_SOCKET: 'ошибка сокета',
};

/** The "why" part of `explainSocketError` messages, by code. */
const WHY_RU: Partial<Record<LabErrorCode, string>> = {
  LAB_ERR_CONNECT_REFUSED:
    'в соединении отказано (на этом адресе и порту никто не слушает; запущен ли сервер и привязан ли он к адресу, доступному с этой машины?)',
  LAB_ERR_CONNECT_TIMEOUT:
    'нет ответа за отведённое время (пакеты может отбрасывать межсетевой экран, или адрес неверен)',
  LAB_ERR_HOST_NOT_FOUND: 'имя хоста не разрешается в адрес (проверьте написание или укажите IP-адрес)',
  LAB_ERR_NETWORK_UNREACHABLE: 'с этой машины нет маршрута в ту сеть',
  LAB_ERR_ADDR_IN_USE: 'порт уже занят другой программой (остановите её или выберите другой порт)',
  LAB_ERR_ADDR_NOT_AVAILABLE:
    'этот адрес не принадлежит этой машине (чтобы слушать на всех адресах, укажите 0.0.0.0)',
  LAB_ERR_PERMISSION:
    'доступ запрещён (для портов ниже 1024 нужны права администратора; выберите порт повыше)',
};

/** "connect to 10.0.0.5:7007" and the other operations `explainSocketError` is given. */
const WHAT_RU: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^connect to (.+)$/, (m) => `подключиться к ${m[1]}`],
  [/^listen on (.+) \(TCP\)$/, (m) => `слушать ${m[1]} (TCP)`],
  [/^bind (.+) \(UDP\)$/, (m) => `привязать UDP-сокет к ${m[1]}`],
  [/^reach the chat server (.+)$/, (m) => `связаться с чат-сервером ${m[1]}`],
  [/^talk to (.+)$/, (m) => `обмениваться данными с ${m[1]}`],
  [/^send to (.+)$/, (m) => `отправить данные на ${m[1]}`],
  [/^join the chat at (.+)$/, (m) => `войти в чат на ${m[1]}`],
];

function whatRu(what: string): string | undefined {
  for (const [re, make] of WHAT_RU) {
    const m = what.match(re);
    if (m) return make(m);
  }
  return undefined;
}

const NICK_RULE_RU = 'нужны от 1 до 16 букв, цифр, «_» или «-»';

/** Reasons a chat join fails, after "cannot join the chat at X: ". */
const JOIN_WHY_RU: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [
    /^nothing listens on that UDP port \(the host answered "port unreachable"\)$/,
    () => 'на этом UDP-порту никто не слушает (хост ответил ICMP-сообщением «port unreachable»)',
  ],
  [
    /^no answer after (\d+) tries \(is the server running, and is UDP port (\d+) reachable\?\)$/,
    (m) =>
      `нет ответа после ${count('ru', Number(m[1]), 'try')} (запущен ли сервер и доступен ли UDP-порт ${m[2]}?)`,
  ],
  [
    /^the server does not accept the nickname "(.*)" \(.*\)$/,
    (m) => `сервер не принимает ник «${m[1]}» (${NICK_RULE_RU})`,
  ],
  [
    /^the nickname "(.*)" is already taken in this chat: choose another with --nick$/,
    (m) => `ник «${m[1]}» в этом чате уже занят: выберите другой через --nick`,
  ],
];

/** Whole messages of known shapes. */
const MESSAGE_RU: Array<[RegExp, (m: RegExpMatchArray) => string | undefined]> = [
  [
    /^cannot join the chat at (.+?): (.*)$/s,
    (m) => {
      for (const [re, make] of JOIN_WHY_RU) {
        const w = (m[2] ?? '').match(re);
        if (w) return `не удалось войти в чат на ${m[1]}: ${make(w)}`;
      }
      return undefined;
    },
  ],
  [
    /^cannot send to (.+): the connection is closed$/,
    (m) => `не удалось отправить данные на ${m[1]}: соединение уже закрыто`,
  ],
  [
    /^the server at (.+) closed the connection before echoing everything \((\d+) of (\d+) bytes came back\)$/,
    (m) =>
      `сервер ${m[1]} закрыл соединение, не вернув всё эхо (вернулось ${m[2]} из ${count('ru', Number(m[3]), 'byte')})`,
  ],
  [
    /^the echo from (.+) is incomplete after (\d+) ms \((\d+) of (\d+) bytes came back\)$/,
    (m) =>
      `эхо от ${m[1]} не вернулось полностью за ${m[2]} мс (вернулось ${m[3]} из ${count('ru', Number(m[4]), 'byte')})`,
  ],
  [/^the server (.+) closed the connection$/, (m) => `сервер ${m[1]} закрыл соединение`],
  [
    /^the nickname "(.*)" is not allowed: use 1 to 16 letters, digits, "_" or "-"$/,
    (m) => `ник «${m[1]}» не подходит: ${NICK_RULE_RU}`,
  ],
  [
    /^not sent: the client is not in the chat right now \((it has left|joining again after losing the server)\)$/,
    (m) =>
      `не отправлено: клиент сейчас не в чате (${m[1] === 'it has left' ? 'он уже вышел' : 'входит снова после потери сервера'})`,
  ],
  [
    /^the message is (\d+) bytes; a chat message may have at most (\d+) bytes \(one datagram\)$/,
    (m) =>
      `в сообщении ${count('ru', Number(m[1]), 'byte')}, а в сообщении чата может быть не больше ${count('ru', Number(m[2]), 'byte')} (одна дейтаграмма)`,
  ],
  [
    /^cannot write the log file (.+?): (.*) \(check --log-file \/ LAB_LOG_FILE\)$/s,
    (m) => `не удалось записать файл журнала ${m[1]}: ${m[2]} (проверьте --log-file / LAB_LOG_FILE)`,
  ],
  [/^unexpected answer to (HELLO|JOIN)$/, (m) => `неожиданный ответ на ${m[1]}`],
  // explainSocketError: "<what>: the connection was reset by the other side"
  [
    /^(.+): the connection was reset by the other side$/,
    (m) => {
      const what = whatRu(m[1] ?? '');
      return what ? `${what}: другая сторона сбросила соединение (RST)` : undefined;
    },
  ],
];

function isLabCode(code: string): code is LabErrorCode {
  return Object.hasOwn(ERROR_SUMMARY_RU, code);
}

/**
 * The error sentence `message` (with code `code`) in `lang`. English is the message itself; Russian
 * is rebuilt from the message's known shape, or the code's summary with the English beside it.
 */
export function localizeErrorText(code: string, message: string, lang: Lang): string {
  if (lang === 'en') return message;
  for (const [re, make] of MESSAGE_RU) {
    const m = message.match(re);
    const text = m ? make(m) : undefined;
    if (text) return text;
  }
  const cannot = message.match(/^cannot (.+?): (.*)$/s);
  if (cannot && isLabCode(code)) {
    const what = whatRu(cannot[1] ?? '');
    const why = WHY_RU[code] ?? (code === 'LAB_ERR_SOCKET' ? `ошибка сокета: ${cannot[2]}` : undefined);
    if (what && why) return `не удалось ${what}: ${why}`;
  }
  if (isLabCode(code)) return `${ERROR_SUMMARY_RU[code]} (${code}: ${message})`;
  // A system error code (EMFILE, ...) from a socket: the code is the same in every language.
  return `системная ошибка ${code} (${message})`;
}

/** The message of `err` (a LabError, or anything thrown) in `lang`. */
export function localizeError(err: unknown, lang: Lang): string {
  if (err instanceof Error) {
    // Made in both languages where it was thrown: nothing to match.
    const ru = (err as { ru?: unknown }).ru;
    if (lang === 'ru' && typeof ru === 'string') return ru;
    const code = (err as { code?: unknown }).code;
    // Only LabErrors are sentences for people; anything else is a bug and keeps its own text.
    return typeof code === 'string' && isLabCode(code)
      ? localizeErrorText(code, err.message, lang)
      : err.message;
  }
  return String(err);
}
