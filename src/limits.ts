/**
 * The chat protocol's size limits, at the bottom layer with text/: udp/protocol.ts enforces them and
 * log/events.ts quotes them in its explanations. Here, neither imports the other (log/ is below
 * udp/, and udp/ already imports the reason types from log/).
 */

/** Largest datagram the server accepts or sends (RFC 8085: stay well under the path MTU). */
export const MAX_DATAGRAM = 1200;
/** Largest chat text in one MSG, in bytes, so that the relayed FROM line stays under MAX_DATAGRAM. */
export const MAX_TEXT_BYTES = 1000;

/**
 * Where each connection limit is set: the environment variable (the Docker lab's .env) and the
 * option. Here, at the bottom, because the server's refusal line, the client's error and the event
 * explanations all name them.
 */
export const TCP_LIMIT_SETTING = {
  'max-per-address': 'LAB_MAX_PER_ADDRESS / --max-per-address',
  'max-connections': 'LAB_MAX_CONNECTIONS / --max-connections',
} as const;

/** Where each chat member limit is set, as TCP_LIMIT_SETTING. */
export const CHAT_LIMIT_SETTING = {
  'room-full': 'LAB_MAX_MEMBERS / --max-members',
  'address-full': 'LAB_MEMBERS_PER_ADDRESS / --members-per-address',
} as const;

/** The plain chat's first datagram of a client, after `nick: ` (udp/plain.ts): the server learns its address from it. */
export const PLAIN_JOIN_TEXT = 'joined the chat';
/** The plain chat's last datagram of a client; our plain server forgets the sender after relaying it. */
export const PLAIN_LEAVE_TEXT = 'left the chat';
