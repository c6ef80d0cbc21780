/**
 * The packet view of a lab run: read a capture (pcap.ts), group it into connections and
 * conversations (flows.ts), relate the two sides of a forwarding hop (relate.ts), check the wire
 * against the socket logs (crosscheck.ts) and explain it all in English or Russian (explain.ts).
 */
export * from './pcap.js';
export * from './flows.js';
export * from './relate.js';
export * from './crosscheck.js';
export * from './explain.js';
export * from './analyse.js';
