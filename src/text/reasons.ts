/**
 * Short labels for the reason codes logs carry (`reason` of close, leave, lost and stop events),
 * where a screen or a diagram has room for a few words only. English shows the code itself (it is
 * English already); Russian shows the translation alone: an English code in brackets inside a
 * Russian sentence (often itself in brackets) reads as noise, and the report cites the log line
 * that holds the code.
 */

import type { Lang } from './lang.js';

const RU: Record<string, string> = {
  // tcp.connection.closed
  'peer-closed': 'клиент закрыл соединение',
  'peer-reset': 'клиент сбросил соединение',
  'idle-timeout': 'тайм-аут простоя',
  'max-lifetime': 'предельное время жизни',
  stalled: 'клиент не читает эхо',
  'server-stopping': 'сервер останавливается',
  error: 'ошибка сокета',
  // client.disconnected, chat.left
  'user-exit': 'пользователь ввёл exit',
  'end-of-input': 'ввод закончился',
  'server-closed': 'сеанс завершил сервер',
  signal: 'сигнал остановки',
  // udp.member.left, chat.member.left
  leave: 'отправил LEAVE',
  timeout: 'тайм-аут',
  silent: 'молчал дольше тайм-аута',
  goodbye: 'отправил прощальную строку',
  // chat.server.lost
  'no-answer': 'нет ответа',
  'not-a-member': 'сервер не считает нас участником',
  // tcp.connection.rejected
  'max-connections': 'все места для соединений заняты',
  'max-per-address': 'предел соединений с одного адреса',
  // client.disconnected
  refused: 'сервер отказал в соединении',
};

/** A short label for reason code `code` in `lang`, e.g. "сигнал остановки" (an unknown code as is). */
export function reasonLabel(code: string, lang: Lang): string {
  if (lang === 'en') return code;
  // Own keys only: a reason from a log may be "constructor" or "valueOf".
  const ru = Object.hasOwn(RU, code) ? RU[code] : undefined;
  return ru ?? code;
}

/** Signal names as a Russian reader knows them: the name stays, a word says what it is. */
export function signalLabel(signal: string, lang: Lang): string {
  if (lang === 'en') return signal;
  return `сигнал ${signal}`;
}
