/**
 * Every sentence the clients print on the student's screen (not the log lines: those come from the
 * event catalogue), in each language. `--help` stays English; everything a client shows while it
 * runs follows `--lang` / LAB_LANG.
 */
import { reasonLabel } from './reasons.js';

import type { Lang } from './lang.js';

export interface ScreenTexts {
  /** Prefix of each line the echo server sent back. */
  echoPrefix: string;
  /** Shown when a terminal attaches, and after connecting: how to type, end and detach. */
  attachHint: (what: string) => string;
  echoClient: string;
  echoConnected: (p: { remote: string; local: string }) => string;
  chatClient: (p: { nick: string }) => string;
  chatJoined: (p: { server: string; nick: string; local: string; members: number }) => string;
  /** The plain protocol has no answer to joining: say what was done, not that it worked. */
  chatPlainStarted: (p: { server: string; nick: string; local: string }) => string;
  memberJoined: (p: { nick: string }) => string;
  memberLeft: (p: { nick: string; reason: string }) => string;
  serverLost: (p: { reason: string }) => string;
  rejoined: (p: { members: number }) => string;
}

const en: ScreenTexts = {
  echoPrefix: 'echo: ',
  attachHint: (what) =>
    `${what}. Type a line and press Enter; "exit" ends the session. In Docker, detach with Ctrl-P Ctrl-Q (the client keeps running).`,
  echoClient: 'Echo client',
  echoConnected: (p) => `Connected to the echo server ${p.remote} from ${p.local}`,
  chatClient: (p) => `Chat client ${p.nick}`,
  chatJoined: (p) => `Joined the chat ${p.server} as ${p.nick} from ${p.local} (members: ${p.members})`,
  chatPlainStarted: (p) =>
    `Plain chat ${p.server} as ${p.nick} from ${p.local}: the first line is sent; the server answers nothing, lines from others appear here`,
  memberJoined: (p) => `* ${p.nick} joined`,
  memberLeft: (p) => `* ${p.nick} left (${reasonLabel(p.reason, 'en')})`,
  serverLost: (p) => `* lost the server (${reasonLabel(p.reason, 'en')}); trying to join again...`,
  rejoined: (p) => `* joined again (members: ${p.members})`,
};

const ru: ScreenTexts = {
  echoPrefix: 'эхо: ',
  attachHint: (what) =>
    `${what}. Введите строку и нажмите Enter; «exit» завершает сеанс. В Docker отключиться от контейнера можно клавишами Ctrl-P Ctrl-Q (клиент продолжит работать).`,
  echoClient: 'Эхо-клиент',
  echoConnected: (p) => `Подключено к эхо-серверу ${p.remote} с адреса ${p.local}`,
  chatClient: (p) => `Чат-клиент ${p.nick}`,
  chatJoined: (p) =>
    `Вход в чат ${p.server} под ником ${p.nick} с адреса ${p.local} (участников: ${p.members})`,
  chatPlainStarted: (p) =>
    `Простой чат ${p.server}, ник ${p.nick}, адрес ${p.local}: первая строка отправлена; сервер ничего не отвечает, строки других участников появятся здесь`,
  memberJoined: (p) => `* участник ${p.nick} вошёл в чат`,
  memberLeft: (p) => `* участник ${p.nick} вышел (${reasonLabel(p.reason, 'ru')})`,
  serverLost: (p) => `* связь с сервером потеряна (${reasonLabel(p.reason, 'ru')}); пробуем войти снова...`,
  rejoined: (p) => `* снова в чате (участников: ${p.members})`,
};

export const SCREEN: Record<Lang, ScreenTexts> = { en, ru };
