import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Stateless join cookies: the server keeps nothing per HELLO. A cookie is an HMAC of the sender's
 * address, port and nickname under a secret that only this process knows, bound to a time slot. A
 * peer can only echo it back if it really receives datagrams at that address, which a spoofer
 * cannot (the same idea as TCP SYN cookies and DTLS HelloVerifyRequest).
 */
export interface CookieJar {
  issue(address: string, port: number, nick: string, now?: number): string;
  /** True for a cookie issued to the same address, port and nickname in this slot or the one before. */
  verify(cookie: string, address: string, port: number, nick: string, now?: number): boolean;
}

export function createCookieJar(slotMs = 30_000, secret: Buffer = randomBytes(32)): CookieJar {
  const mac = (slot: number, address: string, port: number, nick: string) =>
    createHmac('sha256', secret)
      .update(`${slot}|${address}|${port}|${nick.toLowerCase()}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  return {
    issue(address, port, nick, now = Date.now()) {
      return mac(Math.floor(now / slotMs), address, port, nick);
    },
    verify(cookie, address, port, nick, now = Date.now()) {
      const given = Buffer.from(cookie);
      const slot = Math.floor(now / slotMs);
      for (const s of [slot, slot - 1]) {
        const expected = Buffer.from(mac(s, address, port, nick));
        if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
      }
      return false;
    },
  };
}
