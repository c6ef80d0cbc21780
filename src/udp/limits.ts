/**
 * The chat's member limits as a refused client is told about them: which limit, how large, and the
 * server setting that raises it. Pure: the server sends the reason code and the limit (`ERR
 * address-full 32`), and each client says it in its own language.
 */
import type { Lang } from '../log/events.js';

/** The join refusals that come from a limit (the others are about the nickname). */
export type LimitCode = 'room-full' | 'address-full';

/** Where each chat limit is set: the environment variable (the Docker lab's .env) and the option. */
export const CHAT_LIMIT_SETTING: Record<LimitCode, string> = {
  'room-full': 'LAB_MAX_MEMBERS / --max-members',
  'address-full': 'LAB_MEMBERS_PER_ADDRESS / --members-per-address',
};

/** Why the chat refused to let us in, with the limit when the server sent it, in `lang`. */
export function chatLimitText(code: LimitCode, limit: number | undefined, lang: Lang): string {
  const ru = limit === undefined ? '' : ` (предел: ${limit})`;
  const en = limit === undefined ? '' : ` (limit: ${limit})`;
  if (code === 'address-full') {
    return lang === 'ru'
      ? `с этого адреса в чате уже столько участников, сколько сервер разрешает одному адресу${ru}; всех, кто за одним NAT, сервер видит как один адрес; предел поднимают на сервере: ${CHAT_LIMIT_SETTING[code]} или --class-size`
      : `this address already has as many members in the chat as the server allows one address${en}; everyone behind one NAT is one address to the server; it raises the limit with ${CHAT_LIMIT_SETTING[code]}, or --class-size`;
  }
  return lang === 'ru'
    ? `чат заполнен: заняты все места${ru}; их число задают на сервере: ${CHAT_LIMIT_SETTING[code]}`
    : `the chat is full: every place is taken${en}; the server sets how many with ${CHAT_LIMIT_SETTING[code]}`;
}
