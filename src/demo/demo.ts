/**
 * The demo engine: on one machine, the scenarios it can show honestly, judged from the log lines
 * the programs wrote, through the report's reader and checks (the same ones a lab report runs).
 */
import { networkInterfaces } from 'node:os';
import { LabError, errorFields } from '../errors.js';
import { type ParamsOf, say } from '../text/catalogue.js';
import type { Lang } from '../text/lang.js';
import { DEMO_TEXTS } from './texts.js';
import type { EventLog } from '../log/logger.js';
import {
  type Analysis,
  type EchoSession,
  analyse,
  checkAddresses,
  relayCounts,
  type AddressRule,
} from '../report/index.js';
import { connectEcho } from '../tcp/echo-client.js';
import { createEchoServer } from '../tcp/echo-server.js';
import { joinChat } from '../udp/chat-client.js';
import { createChatServer } from '../udp/chat-server.js';

/**
 * What one scenario showed. `not-applicable`: this machine cannot show it (no address besides
 * loopback), which is neither a pass nor a failure; `detail` says why.
 */
export interface Outcome {
  scenario: string;
  verdict: 'pass' | 'fail' | 'not-applicable';
  /** One sentence with the addresses and counts behind the verdict, or why there is none. */
  detail: string;
}

const verdict = (passed: boolean): Outcome['verdict'] => (passed ? 'pass' : 'fail');

/** The first IPv4 address of this machine that is not loopback, if any. */
export function findLanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * Runs, on this one machine, the scenarios it can show honestly and returns what each showed:
 * loopback, the same server reached through a non-loopback address, a server bound to 127.0.0.1
 * refusing that address, and two chat members exchanging messages. `lines` are the JSON lines
 * `log` has written so far (the demo reads them back once the scenarios are done).
 */
export async function runDemo(o: {
  lanHost?: string | undefined;
  log: EventLog;
  lines: readonly string[];
}): Promise<Outcome[]> {
  const { log } = o;
  const t = <K extends keyof typeof DEMO_TEXTS>(code: K, p: ParamsOf<(typeof DEMO_TEXTS)[K]>) =>
    say(DEMO_TEXTS, code, p, log.lang);
  const serverLog = log.child({ scenario: 'server' });
  const tcp = await createEchoServer({ host: '0.0.0.0', port: 0, log: serverLog });
  const udp = await createChatServer({ host: '0.0.0.0', port: 0, log: serverLog });
  const port = tcp.address.port;
  const lan = o.lanHost ?? findLanAddress();
  let mistakePort = 0;
  let mistakeError: string | undefined;
  const got: Record<string, string[]> = { alice: [], bob: [] };

  async function echoOnce(scenario: string, host: string, text: string): Promise<void> {
    const client = await connectEcho({ host, port, log: log.child({ scenario }) });
    client.send(`${text}\n`);
    await client.drained(5000);
    await client.close('end-of-input');
  }

  try {
    // local: client and server on one machine, over the loopback interface.
    await echoOnce('local', '127.0.0.1', 'hello over loopback');
    if (lan) {
      // lan: the same server through this machine's own network address, as another host would dial it.
      await echoOnce('lan', lan, 'hello over the network address');
      // mistake: a server bound to 127.0.0.1 cannot be reached through any other address.
      const mistakeLog = log.child({ scenario: 'mistake' });
      const loopOnly = await createEchoServer({ host: '127.0.0.1', port: 0, log: mistakeLog });
      mistakePort = loopOnly.address.port;
      try {
        const c = await connectEcho({
          host: lan,
          port: mistakePort,
          log: mistakeLog,
          connectTimeoutMs: 3000,
        });
        await c.close('end-of-input');
      } catch (err) {
        if (!(err instanceof LabError)) throw err;
        mistakeLog.emit('client.error', errorFields(err));
        mistakeError = err.code;
      } finally {
        await loopOnly.close();
      }
    }
    // chat: two members; each must receive the other's message through the server.
    await chatOnce(udp.address.port, log, got);
  } finally {
    await tcp.close();
    await udp.close();
  }

  const analysis = await analyse([{ name: 'demo', lines: o.lines }], { allRuns: true });
  const outcomes = [echoOutcome(analysis, 'local', 'local', '127.0.0.1', port, undefined, log.lang)];
  if (!lan) {
    // Both need an address other than loopback: without one they are not shown, and not failed.
    const detail = t('no-lan-address', {});
    outcomes.push({ scenario: 'lan', verdict: 'not-applicable', detail });
    outcomes.push({ scenario: 'mistake', verdict: 'not-applicable', detail });
  } else {
    outcomes.push(echoOutcome(analysis, 'lan', 'vm', lan, port, '0.0.0.0', log.lang));
    const refused = mistakeError === 'LAB_ERR_CONNECT_REFUSED';
    outcomes.push({
      scenario: 'mistake',
      verdict: verdict(refused),
      detail: refused
        ? t('mistake-refused', { port: mistakePort, lan })
        : mistakeError
          ? t('mistake-other-error', { code: mistakeError })
          : t('mistake-accepted', { lan }),
    });
  }
  const ok = got.alice?.includes('bob: hi alice') && got.bob?.includes('alice: hi bob');
  outcomes.push({
    scenario: 'chat',
    verdict: verdict(Boolean(ok)),
    detail: t('chat-result', {
      alice: got.alice ?? [],
      bob: got.bob ?? [],
      relays: relayCounts(analysis.model).lines,
    }),
  });
  return outcomes;
}

/** One echo scenario judged by the report: the address rule `rule`, and the echo byte for byte. */
function echoOutcome(
  analysis: Analysis,
  scenario: string,
  rule: AddressRule,
  host: string,
  port: number,
  bound: string | undefined,
  lang: Lang,
): Outcome {
  const session: EchoSession | undefined = analysis.model.echo.find((s) => s.scenario === scenario);
  const check = checkAddresses(analysis.model, rule, scenario);
  const echo = analysis.checks.find((c) => c.id === 'echo');
  const mine = echo?.findings.filter((f) => f.evidence.some((r) => session?.records.includes(r))) ?? [];
  const sent = session?.disconnected?.fields.bytesSent;
  const received = session?.disconnected?.fields.bytesReceived;
  return {
    scenario,
    verdict: verdict(check.status === 'pass' && mine.length > 0 && mine.every((f) => f.ok)),
    detail: say(
      DEMO_TEXTS,
      'echo-seen',
      {
        local: session?.local ?? '?',
        target: `${host}:${port}`,
        bound,
        remote: session?.server?.remote,
        received: typeof received === 'number' ? received : undefined,
        sent: typeof sent === 'number' ? sent : undefined,
      },
      lang,
    ),
  };
}

async function chatOnce(port: number, log: EventLog, got: Record<string, string[]>): Promise<void> {
  const member = (nick: 'alice' | 'bob') =>
    joinChat({
      host: '127.0.0.1',
      port,
      nick,
      log: log.child({ scenario: 'chat' }),
      onEvent: (e) => {
        if (e.type === 'message') got[nick]?.push(`${e.nick}: ${e.text}`);
      },
    });
  const alice = await member('alice');
  const bob = await member('bob').catch(async (err) => {
    await alice.leave('error');
    throw err;
  });
  try {
    alice.send('hi bob');
    bob.send('hi alice');
    const deadline = Date.now() + 3000;
    while ((got.alice?.length === 0 || got.bob?.length === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // leave() stops the heartbeats, which would otherwise keep the demo running.
    await alice.leave('end-of-input');
    await bob.leave('end-of-input');
  }
}
