/** "address:port" as every log field writes it ("[v6]:port" for IPv6), split into its parts. */
export function splitEndpoint(value: string): { address: string; port: string } {
  const v6 = /^\[(.*)\]:(\d+|\?)$/.exec(value);
  if (v6) return { address: v6[1] ?? '', port: v6[2] ?? '' };
  const i = value.lastIndexOf(':');
  if (i < 0) return { address: value, port: '' };
  return { address: value.slice(0, i), port: value.slice(i + 1) };
}

export function addressOf(value: string): string {
  const { address } = splitEndpoint(value);
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** 127.0.0.0/8 and ::1: the address a program sees when its peer is on the same machine. */
export function isLoopback(value: string): boolean {
  const a = addressOf(value);
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || a === '::1';
}
