/**
 * Every sentence the clients print on the student's screen (not the log lines: those come from the
 * event catalogue), in each language. `--help` stays English; everything a client shows while it
 * runs follows `--lang` / LAB_LANG. The report quotes the same sentences when it shows what a
 * client's screen held.
 */
import { type ParamsOf, sentence, say } from './catalogue.js';
import type { Lang } from './lang.js';
import { reasonLabel } from './reasons.js';

export const SCREEN_TEXTS = {
  /** Prefix of each line the echo server sent back. */
  'echo-prefix': sentence(
    {},
    () => 'echo: ',
    () => 'эхо: ',
  ),
  /** Shown when a terminal attaches, and after connecting: how to type, end and detach. */
  'attach-hint': sentence(
    { what: 'Echo client' },
    (p) =>
      `${p.what}. Type a line and press Enter; "exit" ends the session. In Docker, detach with Ctrl-P Ctrl-Q (the client keeps running).`,
    (p) =>
      `${p.what}. Введите строку и нажмите Enter; «exit» завершает сеанс. В Docker отключиться от контейнера можно клавишами Ctrl-P Ctrl-Q (клиент продолжит работать).`,
  ),
  'echo-client': sentence(
    {},
    () => 'Echo client',
    () => 'Эхо-клиент',
  ),
  /** A student's own client under `socket-lab own`: the program is theirs, the hint the lab's. */
  'own-client': sentence(
    { chat: false },
    (p) => `Your ${p.chat ? 'chat' : 'echo'} client, run by socket-lab`,
    (p) => `Ваш ${p.chat ? 'чат-клиент' : 'эхо-клиент'}, его запустила socket-lab`,
  ),
  'echo-connected': sentence(
    { remote: '10.0.0.5:7007', local: '10.0.0.9:40000' },
    (p) => `Connected to the echo server ${p.remote} from ${p.local}`,
    (p) => `Подключено к эхо-серверу ${p.remote} с адреса ${p.local}`,
  ),
  'chat-client': sentence(
    { nick: 'alice' },
    (p) => `Chat client ${p.nick}`,
    (p) => `Чат-клиент ${p.nick}`,
  ),
  'chat-joined': sentence(
    { server: '10.0.0.5:7008', nick: 'alice', local: '10.0.0.9:40001', members: 2 },
    (p) => `Joined the chat ${p.server} as ${p.nick} from ${p.local} (members: ${p.members})`,
    (p) => `Вход в чат ${p.server} под ником ${p.nick} с адреса ${p.local} (участников: ${p.members})`,
  ),
  /** The plain protocol has no answer to joining: say what was done, not that it worked. */
  'chat-plain-started': sentence(
    { server: '10.0.0.5:7008', nick: 'alice', local: '10.0.0.9:40001' },
    (p) =>
      `Plain chat ${p.server} as ${p.nick} from ${p.local}: the first line is sent; the server answers nothing, lines from others appear here`,
    (p) =>
      `Простой чат ${p.server}, ник ${p.nick}, адрес ${p.local}: первая строка отправлена; сервер ничего не отвечает, строки других участников появятся здесь`,
  ),
  'member-joined': sentence(
    { nick: 'bob' },
    (p) => `* ${p.nick} joined`,
    (p) => `* участник ${p.nick} вошёл в чат`,
  ),
  'member-left': sentence(
    { nick: 'bob', reason: 'timeout' },
    (p) => `* ${p.nick} left (${reasonLabel(p.reason, 'en')})`,
    (p) => `* участник ${p.nick} вышел (${reasonLabel(p.reason, 'ru')})`,
  ),
  'server-lost': sentence(
    { reason: 'no-answer' },
    (p) => `* lost the server (${reasonLabel(p.reason, 'en')}); trying to join again...`,
    (p) => `* связь с сервером потеряна (${reasonLabel(p.reason, 'ru')}); пробуем войти снова...`,
  ),
  rejoined: sentence(
    { members: 2 },
    (p) => `* joined again (members: ${p.members})`,
    (p) => `* снова в чате (участников: ${p.members})`,
  ),
};

export type ScreenText = keyof typeof SCREEN_TEXTS;

/** The screen's sentences in one language: `screenIn('ru')('member-joined', { nick })`. */
export function screenIn(
  lang: Lang,
): <K extends ScreenText>(code: K, params: ParamsOf<(typeof SCREEN_TEXTS)[K]>) => string {
  return (code, params) => say(SCREEN_TEXTS, code, params, lang);
}
