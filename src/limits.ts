/**
 * The chat protocol's size limits, at the bottom layer with text/: udp/protocol.ts enforces them and
 * log/events.ts quotes them in its explanations. Here, neither imports the other (log/ is below
 * udp/, and udp/ already imports the reason types from log/).
 */

/** Largest datagram the server accepts or sends (RFC 8085: stay well under the path MTU). */
export const MAX_DATAGRAM = 1200;
/** Largest chat text in one MSG, in bytes, so that the relayed FROM line stays under MAX_DATAGRAM. */
export const MAX_TEXT_BYTES = 1000;
