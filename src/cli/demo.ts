import { networkInterfaces } from 'node:os';
import { Command, Option } from 'commander';
import { LabError } from '../errors.js';
import type { EventName } from '../log/events.js';
import { type EventLog, createLogger, prettyLine } from '../log/logger.js';
import { connectEcho } from '../tcp/echo-client.js';
import { createEchoServer } from '../tcp/echo-server.js';
import { joinChat } from '../udp/chat-client.js';
import { createChatServer } from '../udp/chat-server.js';
import { LANGS, type Lang } from '../log/events.js';
import { parseHost, reportError } from './common.js';

interface DemoOptions {
  lanHost?: string;
  lang: Lang;
  quiet?: boolean;
}

type LogRecord = Record<string, unknown> & { event?: EventName; scenario?: string };

interface Outcome {
  scenario: string;
  passed: boolean;
  detail: string;
}

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
 * refusing that address, and two chat members exchanging messages.
 */
export async function runDemo(o: {
  lanHost?: string | undefined;
  log: EventLog;
  records: LogRecord[];
}): Promise<Outcome[]> {
  const { log, records } = o;
  const outcomes: Outcome[] = [];
  const seen = (event: EventName, scenario: string) =>
    records.filter((r) => r.event === event && r.scenario === scenario);
  const serverLog = log.child({ scenario: 'server' });
  const tcp = await createEchoServer({ host: '0.0.0.0', port: 0, log: serverLog });
  const udp = await createChatServer({ host: '0.0.0.0', port: 0, log: serverLog });
  const port = tcp.address.port;

  async function echoOnce(
    scenario: string,
    host: string,
    text: string,
  ): Promise<{ sent: number; received: number; local: string }> {
    const client = await connectEcho({ host, port, log: log.child({ scenario }) });
    client.send(`${text}\n`);
    await client.drained(5000);
    await client.close('end-of-input');
    return { sent: client.bytesSent(), received: client.bytesReceived(), local: client.local };
  }
  // The server logs the peer of each accepted connection; find the one this client made.
  const serverSaw = (local: string) =>
    records.find((r) => r.event === 'tcp.connection.accepted' && r.remote === local)?.remote as
      string | undefined;

  try {
    // 1. local: client and server on one machine, over the loopback interface.
    const local = await echoOnce('local', '127.0.0.1', 'hello over loopback');
    const sawLocal = serverSaw(local.local);
    outcomes.push({
      scenario: 'local',
      passed: Boolean(sawLocal?.startsWith('127.0.0.1:')) && local.sent === local.received,
      detail: `client ${local.local} -> 127.0.0.1:${port}; the server saw ${sawLocal ?? 'nothing'}; ${local.received}/${local.sent} bytes echoed`,
    });

    // 2. lan: the same server through this machine's own network address, as another host would dial it.
    const lan = o.lanHost ?? findLanAddress();
    if (!lan) {
      outcomes.push({
        scenario: 'lan',
        passed: false,
        detail: 'this machine has no non-loopback IPv4 address (use --lan-host)',
      });
    } else {
      const viaLan = await echoOnce('lan', lan, 'hello over the network address');
      const sawLan = serverSaw(viaLan.local);
      outcomes.push({
        scenario: 'lan',
        passed: Boolean(sawLan?.startsWith(`${lan}:`)) && viaLan.sent === viaLan.received,
        detail: `client ${viaLan.local} -> ${lan}:${port}; the server (bound to 0.0.0.0) saw ${sawLan ?? 'nothing'}; ${viaLan.received}/${viaLan.sent} bytes echoed`,
      });

      // 3. mistake: a server bound to 127.0.0.1 cannot be reached through any other address.
      const loopOnly = await createEchoServer({
        host: '127.0.0.1',
        port: 0,
        log: log.child({ scenario: 'mistake' }),
      });
      try {
        await connectEcho({
          host: lan,
          port: loopOnly.address.port,
          log: log.child({ scenario: 'mistake' }),
          connectTimeoutMs: 3000,
        }).then(async (c) => {
          await c.close('end-of-input');
          outcomes.push({
            scenario: 'mistake',
            passed: false,
            detail: `a server bound to 127.0.0.1 accepted a connection to ${lan}`,
          });
        });
      } catch (err) {
        const refused = err instanceof LabError && err.code === 'LAB_ERR_CONNECT_REFUSED';
        log
          .child({ scenario: 'mistake' })
          .emit('client.error', { code: (err as LabError).code, message: (err as Error).message });
        outcomes.push({
          scenario: 'mistake',
          passed: refused,
          detail: refused
            ? `a server bound to 127.0.0.1:${loopOnly.address.port} refused ${lan}:${loopOnly.address.port}: that is why the lab binds 0.0.0.0`
            : `expected "connection refused", got: ${(err as Error).message}`,
        });
      } finally {
        await loopOnly.close();
      }
    }

    // 4. chat: two members; each must receive the other's message through the server.
    const got: Record<string, string[]> = { alice: [], bob: [] };
    const member = (nick: 'alice' | 'bob') =>
      joinChat({
        host: '127.0.0.1',
        port: udp.address.port,
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
    const ok = got.alice?.includes('bob: hi alice') && got.bob?.includes('alice: hi bob');
    outcomes.push({
      scenario: 'chat',
      passed: Boolean(ok),
      detail: `alice received [${got.alice?.join(', ')}], bob received [${got.bob?.join(', ')}]; relays logged: ${seen('udp.message.relayed', 'server').length}`,
    });
  } finally {
    await tcp.close();
    await udp.close();
  }
  return outcomes;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'without Docker: run the scenarios one machine can show (loopback, network address, 127.0.0.1 mistake, chat) and check them',
    )
    .addOption(
      new Option(
        '--lan-host <address>',
        "this machine's non-loopback address (default: the first one found)",
      ).argParser(parseHost),
    )
    .addOption(
      new Option('--lang <lang>', 'language of the explanations')
        .choices(LANGS)
        .default('en')
        .env('LAB_LANG'),
    )
    .option('--quiet', 'print only the results, not every event')
    .action(async (o: DemoOptions) => {
      const records: LogRecord[] = [];
      const pretty = prettyLine(Boolean(process.stdout.isTTY));
      const { log, flush } = createLogger({
        format: 'json',
        level: 'info',
        lang: o.lang,
        destination: {
          write(line) {
            records.push(JSON.parse(line) as LogRecord);
            if (!o.quiet) process.stdout.write(pretty(line));
          },
        },
      });
      try {
        const outcomes = await runDemo({ lanHost: o.lanHost, log, records });
        await flush();
        process.stdout.write('\nResults:\n');
        for (const r of outcomes)
          process.stdout.write(`  ${r.passed ? 'PASS' : 'FAIL'}  ${r.scenario.padEnd(8)} ${r.detail}\n`);
        const failed = outcomes.filter((r) => !r.passed).length;
        process.stdout.write(
          failed === 0
            ? `All ${outcomes.length} scenarios passed.\n`
            : `${failed} of ${outcomes.length} scenarios failed.\n`,
        );
        process.exitCode = failed === 0 ? 0 : 1;
      } catch (err) {
        reportError('demo', err);
      }
    });
}
