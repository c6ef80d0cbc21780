/**
 * Short labels for the reason codes logs carry (`reason` of close, leave, lost and stop events),
 * where a screen or a diagram has room for a few words only. English shows the code itself (it is
 * English already); Russian shows the translation alone: an English code in brackets inside a
 * Russian sentence (often itself in brackets) reads as noise, and the report cites the log line
 * that holds the code.
 */
import { type Sentence, sentence } from './catalogue.js';
import type { Lang } from './lang.js';

/** A label: the code in English, its translation in Russian. */
const label = (code: string, ru: string): Sentence<object> =>
  sentence(
    {},
    () => code,
    () => ru,
  );

/** The reason codes, each with its label in every language. */
export const REASON_LABELS = {
  // tcp.connection.closed (the server's side: the peer is the client)
  'peer-closed': label('peer-closed', 'клиент закрыл соединение'),
  'peer-reset': label('peer-reset', 'клиент сбросил соединение'),
  'idle-timeout': label('idle-timeout', 'тайм-аут простоя'),
  'max-lifetime': label('max-lifetime', 'истекло предельное время жизни соединения'),
  stalled: label('stalled', 'клиент не читает эхо'),
  'server-stopping': label('server-stopping', 'сервер останавливается'),
  error: label('error', 'ошибка сокета'),
  // client.disconnected, chat.left
  'user-exit': label('user-exit', 'пользователь ввёл exit'),
  'end-of-input': label('end-of-input', 'ввод закончился'),
  'server-closed': label('server-closed', 'сеанс завершил сервер'),
  signal: label('signal', 'сигнал остановки'),
  // udp.member.left, chat.member.left
  leave: label('leave', 'отправил LEAVE'),
  timeout: label('timeout', 'тайм-аут'),
  silent: label('silent', 'молчал дольше тайм-аута'),
  goodbye: label('goodbye', 'отправил прощальную строку'),
  // chat.server.lost
  'no-answer': label('no-answer', 'нет ответа'),
  'not-a-member': label('not-a-member', 'сервер не считает нас участником'),
  // tcp.connection.rejected
  'max-connections': label('max-connections', 'все места для соединений заняты'),
  'max-per-address': label('max-per-address', 'достигнут предел соединений с одного адреса'),
  // client.disconnected
  refused: label('refused', 'сервер отказал в соединении'),
} satisfies Record<string, Sentence<object>>;

/** A short label for reason code `code` in `lang`, e.g. "сигнал остановки" (an unknown code as is). */
export function reasonLabel(code: string, lang: Lang): string {
  // Own keys only: a reason from a log may be "constructor" or "valueOf". An empty one says nothing.
  if (code.trim() === '') return '?';
  return Object.hasOwn(REASON_LABELS, code)
    ? REASON_LABELS[code as keyof typeof REASON_LABELS][lang]({})
    : code;
}
