// The assertions of the Docker e2e test (scripts/test-docker.sh), one phase at a time.
//
//   node --import tsx test/e2e/check.ts PHASE DIR [--wait SECONDS]
//
// PHASE: running | attach | mistake | stopped | impaired | impaired-stopped (the last two: a run
// with LAB_WAN_LOSS, LAB_WAN_DELAY and LAB_WAN_COUNT set, of the server, the router and the remote
// and vm clients only) | own-running | own-attach | own-stopped | own-report (a run with the
// student's echo server and client of test/fixtures/own/echo in place of ours, and their chat server
// and client of test/fixtures/own/chat when LAB_OWN_CHAT_SERVER and LAB_OWN_CHAT_CLIENT are set,
// and their clients in the mistake profile) |
// own-c | own-c-stopped (the C echo server of test/fixtures/own/c-echo in its own image, our
// clients) | mutant (E2E_MUTANT: one of MUTANTS below). Env: LAB_PREFIX (the test's compose project
// and name prefix), E2E_TYPED (the line typed through `docker attach`; attach and stopped phases).
// Each try copies the logs and screens into DIR (test/e2e/docker.ts) and judges them; with
// --wait it tries again every second until every assertion holds or SECONDS have passed.
// Exit 0 when they hold; else 1, after printing each failed one with what shows it.
//
// What the lab's logs must show is judged by the lab report's own checks (src/report: the same
// ones `socket-lab report --check` runs); this file only adds what the logs cannot tell: the
// addresses Docker really gave the containers, their exit codes, and what the terminals showed.
import { Buffer } from 'node:buffer';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Analysis, type CheckId, type ReportInput, analyse, summary } from '../../src/report/index.ts';
import { type Container, containers, fetchLogs } from './docker.ts';
import { type PcapSummary, summarisePcap } from './pcap.ts';

type Phase =
  | 'running'
  | 'attach'
  | 'mistake'
  | 'stopped'
  | 'impaired'
  | 'impaired-stopped'
  | 'own-running'
  | 'own-attach'
  | 'own-stopped'
  | 'own-report'
  | 'own-c'
  | 'own-c-stopped'
  | 'mutant';
const PHASES: readonly Phase[] = [
  'running',
  'attach',
  'mistake',
  'stopped',
  'impaired',
  'impaired-stopped',
  'own-running',
  'own-attach',
  'own-stopped',
  'own-report',
  'own-c',
  'own-c-stopped',
  'mutant',
];

/** One assertion: what must hold, whether it did, and what to show when it did not. */
interface Assertion {
  title: string;
  ok: boolean;
  detail?: string[];
}

/** The scripted parts of docker-compose.yml: each echo client's greeting, each chat client's line. */
const GREETINGS = {
  'echo-local': 'Hello from the local scenario',
  'echo-vm': 'Hello from the vm scenario',
  'echo-remote': 'Hello from the remote scenario',
} as const;
const CHAT = {
  'chat-vm': { nick: 'vm-user', say: 'Hi from the vm network' },
  'chat-remote': { nick: 'remote-user', say: 'Hi from the wan network' },
} as const;
/** The clients each scenario must have. */
const SCENARIO_CLIENTS = {
  local: ['echo-local'],
  vm: ['echo-vm', 'chat-vm'],
  remote: ['echo-remote', 'chat-remote'],
} as const;
/** The network's containers: the router, the remote machine, the two captures. */
const NETWORK_SERVICES = ['router', 'remote', 'capture-server', 'capture-remote'];
/** The student's servers' containers: they exit 0 at once when their role has no command. */
const OWN_SERVICES = ['own-echo-server', 'own-chat-server'];
const LAB_SERVICES = [
  'server',
  ...NETWORK_SERVICES,
  ...OWN_SERVICES,
  ...Object.keys(GREETINGS),
  ...Object.keys(CHAT),
];
/** The own-program checks of the report (src/report, issue 18) a correct echo pair passes. */
const OWN_CHECKS = ['own-echo-server', 'own-echo-client'] as unknown as CheckId[];

interface Context {
  dir: string;
  prefix: string;
  typed: string;
  docker: Map<string, Container>;
}

/**
 * The test's logs volume is its own and fresh: every line is from this run. Every run, then,
 * because the report's "latest run" starts at the latest server start (less 30 s), and the
 * mistake profile's server starts later than that on a slow machine.
 */
const ALL_RUNS = true;

const host = (endpoint: unknown): string => String(endpoint ?? '').replace(/:\d+$/, '');
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The lab's JSON logs in DIR/logs, as the report reads them. */
async function reportInputs(dir: string): Promise<ReportInput[]> {
  const logs = join(dir, 'logs');
  const names = existsSync(logs) ? (await readdir(logs)).filter((n) => n.endsWith('.jsonl')).sort() : [];
  return names.map((n) => ({ name: n.slice(0, -'.jsonl'.length), lines: lazyLines(join(logs, n)) }));
}

/**
 * A file's lines, opened when the report starts reading it: a readline interface made earlier
 * would emit its lines before anyone iterates it, and they would be lost.
 */
function lazyLines(file: string): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () =>
      createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator](),
  };
}

/** Asserts that each of `ids` passed, with the failing findings (and their log lines) when not. */
function checksPass(analysis: Analysis, ids: readonly CheckId[]): Assertion[] {
  return ids.map((id) => {
    const r = analysis.checks.find((c) => c.id === id);
    const failing = r?.findings.filter((f) => !f.ok) ?? [];
    return {
      title: `the lab report's "${id}" check passes`,
      ok: r?.status === 'pass',
      detail: [
        `status ${r?.status ?? '(no such check)'}; ${summary(analysis)}`,
        ...failing.map(
          (f) =>
            `${f.code} ${JSON.stringify(f.params)} <- ${f.evidence.map((e) => `${e.source}:${e.line} ${e.event}`).join(', ') || 'no line'}`,
        ),
      ],
    };
  });
}

/** A screen as plain text: ANSI escapes and carriage returns removed. */
function screen(ctx: Context, name: string, raw = false): string {
  const file = join(ctx.dir, 'screens', `${name}.txt`);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return raw ? text : text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\r/g, '');
}

function onScreen(ctx: Context, name: string, text: string, title: string): Assertion {
  const shown = screen(ctx, name);
  const end = shown.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '>');
  return {
    title,
    ok: shown.includes(text),
    detail: [`end of screen "${name}":`, ...end.slice(-8).map((l) => `  ${l.slice(0, 300)}`)],
  };
}

/** Each scenario's address findings name the clients Docker started, at the addresses Docker gave them. */
function addressesMatchDocker(ctx: Context, analysis: Analysis, withChat = true): Assertion[] {
  const out: Assertion[] = [];
  const net = (service: string, network: string) =>
    ctx.docker.get(service)?.networks[`${ctx.prefix}-${network}`];
  // The remote clients live in the remote machine's namespace; the server sees the router.
  const routerVm = net('router', 'vm')?.ip;
  for (const [scenario, services] of Object.entries(SCENARIO_CLIENTS)) {
    const findings = analysis.checks.find((c) => c.id === scenario)?.findings ?? [];
    // A student's own chat clients are not in the address checks: their own-chat checks hold the NAT.
    for (const service of services.filter((x) => withChat || !x.startsWith('chat-'))) {
      const name = `${ctx.prefix}-${service}`;
      const f = findings.find((x) => String(x.params.client ?? '').startsWith(name));
      const own = host(f?.params.own);
      const seen = host(f?.params.seen);
      const detail = [`report: ${f ? `${f.code} ${JSON.stringify(f.params)}` : '(no finding)'}`];
      if (scenario === 'local') {
        out.push({ title: `local: ${name} is in the report's local check`, ok: f !== undefined, detail });
      } else if (scenario === 'vm') {
        const ip = net(service, 'vm')?.ip;
        out.push({
          title: `vm: the server saw ${name} at ${ip}, its own address on ${ctx.prefix}-vm (per Docker)`,
          ok: f !== undefined && own === ip && seen === ip,
          detail,
        });
      } else {
        const ip = net('remote', 'wan')?.ip;
        out.push({
          title: `remote: ${name} is ${ip} on ${ctx.prefix}-wan; the server saw the router's vm address ${routerVm} (NAT)`,
          ok: f !== undefined && own === ip && seen === routerVm && routerVm !== undefined,
          detail,
        });
      }
    }
  }
  return out;
}

async function running(ctx: Context): Promise<Assertion[]> {
  const analysis = await analyse(await reportInputs(ctx.dir), {
    require: ['local', 'vm', 'remote', 'chat'],
    allRuns: ALL_RUNS,
  });
  const out = [
    ...checksPass(analysis, ['local', 'vm', 'remote', 'chat']),
    ...addressesMatchDocker(ctx, analysis),
    ...captures(ctx, true),
  ];
  for (const [service, greeting] of Object.entries(GREETINGS)) {
    out.push(onScreen(ctx, service, `echo: ${greeting}`, `the echo "${greeting}" is on ${service}'s screen`));
  }
  for (const [service, other] of [
    ['chat-vm', CHAT['chat-remote']],
    ['chat-remote', CHAT['chat-vm']],
  ] as const) {
    const line = `<${other.nick}> ${other.say}`;
    out.push(onScreen(ctx, service, line, `"${line}" is on ${service}'s screen`));
  }
  for (const service of [...Object.keys(GREETINGS), ...Object.keys(CHAT)]) {
    // Colours are fine; cursor moves and erasing (the prompt's redraws) would wipe the container
    // name that `docker compose up` prints before each line (LAB_PROMPT=on-attach prevents them).
    const moves = screen(ctx, service, true).match(/\x1b\[[0-9;]*[ABCDGHJK]/g) ?? [];
    out.push({
      title: `${service} printed plain lines before anyone attached (no cursor moves)`,
      ok: moves.length === 0,
      detail: [`${moves.length} cursor-moving escape(s), e.g. ${JSON.stringify(moves[0])}`],
    });
  }
  return out;
}

function attach(ctx: Context): Assertion[] {
  return [
    onScreen(ctx, 'attach', `echo: ${ctx.typed}`, `the attached terminal shows "echo: ${ctx.typed}"`),
    onScreen(ctx, 'attach', 'Ctrl-P Ctrl-Q', 'the attached terminal shows the detach keys'),
  ];
}

async function mistake(ctx: Context): Promise<Assertion[]> {
  const analysis = await analyse(await reportInputs(ctx.dir), { allRuns: ALL_RUNS });
  const name = `${ctx.prefix}-echo-mistake`;
  const end = analysis.checks
    .find((c) => c.id === 'stopped')
    ?.findings.find((f) => String(f.params.program ?? '').startsWith(name));
  const c = ctx.docker.get('echo-mistake');
  return [
    {
      title: `the report shows ${name} refused (LAB_ERR_CONNECT_REFUSED): server-mistake binds 127.0.0.1`,
      ok: end?.code === 'stop-client-error' && end.params.code === 'LAB_ERR_CONNECT_REFUSED',
      detail: [`report: ${end ? `${end.code} ${JSON.stringify(end.params)}` : '(no finding)'}`],
    },
    {
      title: `${name} exited with code 1 (refused, by design)`,
      ok: c?.status === 'exited' && c.exitCode === 1,
      detail: [`docker: ${c ? `${c.status}, exit code ${c.exitCode}` : 'no such container'}`],
    },
  ];
}

async function stopped(ctx: Context): Promise<Assertion[]> {
  const analysis = await analyse(await reportInputs(ctx.dir), {
    require: ['local', 'vm', 'remote', 'echo', 'chat'],
    allRuns: ALL_RUNS,
  });
  const out = checksPass(analysis, ['local', 'vm', 'remote', 'echo', 'chat', 'stopped']);
  // The typed line went through the attached terminal, the server, and back.
  const vm = `${ctx.prefix}-echo-vm`;
  const n = bytes(`${GREETINGS['echo-vm']}\n${ctx.typed}\n`);
  const echo = analysis.checks
    .find((c) => c.id === 'echo')
    ?.findings.find((f) => f.code === 'echo-client-ok' && String(f.params.what ?? '').startsWith(vm));
  out.push({
    title: `${vm} sent and got back ${n} bytes: its greeting and the typed line`,
    ok: echo?.params.sent === n && echo.params.received === n,
    detail: [`report: ${echo ? JSON.stringify(echo.params) : '(no echo-client-ok finding)'}`],
  });
  out.push(...captures(ctx, false));
  const services = [...LAB_SERVICES, 'server-mistake', 'echo-mistake'];
  out.push({
    title: `the ${services.length} lab containers exist`,
    ok: services.every((s) => ctx.docker.has(s)) && ctx.docker.size === services.length,
    detail: [`docker: ${[...ctx.docker.keys()].join(', ')}`],
  });
  for (const service of services) {
    const c = ctx.docker.get(service);
    const want = service === 'echo-mistake' ? 1 : 0;
    out.push({
      title: `${ctx.prefix}-${service} exited with code ${want}`,
      ok: c?.status === 'exited' && c.exitCode === want,
      detail: [`docker: ${c ? `${c.status}, exit code ${c.exitCode}` : 'no such container'}`],
    });
  }
  return out;
}

/** The capture of `side` in DIR/logs, summarised (undefined when the file is missing). */
function capture(ctx: Context, side: 'server' | 'remote'): PcapSummary | undefined {
  const file = join(ctx.dir, 'logs', `${ctx.prefix}-capture-${side}.pcap`);
  return existsSync(file) ? summarisePcap(readFileSync(file)) : undefined;
}

/**
 * The captures exist, are pcap files, and hold the remote echo client's SYN on both sides of the
 * router: from the remote machine to the router's wan address, then from the router's vm address
 * to the server (the address rewrite, one connection). The server side also holds the local SYN.
 * While the lab runs (`addresses`: Docker still shows them; tcpdump -U writes every packet at
 * once), with the addresses; once stopped, that each file is whole and holds a SYN to 7007.
 */
function captures(ctx: Context, addresses: boolean): Assertion[] {
  const addr = (service: string, network: string) =>
    ctx.docker.get(service)?.networks[`${ctx.prefix}-${network}`]?.ip ?? '?';
  const server = addr('server', 'vm');
  const routerWan = addr('router', 'wan');
  const routerVm = addr('router', 'vm');
  const remote = addr('remote', 'wan');
  const want = addresses
    ? {
        server: [`${routerVm}:* > ${server}:7007`, '127.0.0.1:* > 127.0.0.1:7007'],
        remote: [`${remote}:* > ${routerWan}:7007`],
      }
    : { server: ['* > *:7007'], remote: ['* > *:7007'] };
  return (['server', 'remote'] as const).map((side) => {
    const c = capture(ctx, side);
    const has = (pattern: string) => {
      const [from, to] = pattern.split(' > ');
      return (c?.syns ?? []).some((s) => {
        const [f, t] = s.split(' > ');
        const port = (to ?? '').split(':').pop();
        return (
          f?.startsWith((from ?? '').replace('*', '')) &&
          (to?.startsWith('*') ? t?.endsWith(`:${port}`) : t === to)
        );
      });
    };
    return {
      title: `${ctx.prefix}-capture-${side}.pcap is a whole pcap holding the SYN ${want[side].join(' and the SYN ')}`,
      ok: c !== undefined && c.problem === undefined && want[side].every(has),
      detail: [
        c === undefined
          ? 'no such file in the logs volume'
          : `${c.problem ?? `link type ${c.linkType}, ${c.packets} packets`}; SYNs: ${c.syns.join(', ') || 'none'}`,
      ],
    };
  });
}

/** Every line of one log in DIR/logs, parsed. */
function jsonLines(ctx: Context, name: string): Record<string, unknown>[] {
  const file = join(ctx.dir, 'logs', `${ctx.prefix}-${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const WAN_COUNT = Number(process.env.LAB_WAN_COUNT ?? 0);
const sum = (lines: Record<string, unknown>[], event: string, field: string) =>
  lines.filter((l) => l.event === event).reduce((n, l) => n + Number(l[field] ?? 0), 0);

/** The impaired run is done: the echo of every numbered line is back, every chat message sent. */
function impaired(ctx: Context): Assertion[] {
  const echo = jsonLines(ctx, 'echo-remote');
  const chat = jsonLines(ctx, 'chat-remote');
  const sent = sum(echo, 'client.data.sent', 'bytes');
  const received = sum(echo, 'client.data.received', 'bytes');
  const lines = WAN_COUNT + 1; // the greeting, then the numbered lines
  const expected =
    bytes(`${GREETINGS['echo-remote']}\n`) +
    bytes(`#01/${WAN_COUNT} echo line from the wan network\n`) * WAN_COUNT;
  const messages = chat.filter((l) => l.event === 'chat.message.sent').length;
  return [
    {
      title: `echo-remote sent its greeting and ${WAN_COUNT} numbered lines (${expected} bytes) and got every byte back over the lossy link`,
      ok: sent === expected && received === sent,
      detail: [`sent ${sent} bytes, received ${received} (${lines} lines expected)`],
    },
    {
      title: `chat-remote sent its greeting and ${WAN_COUNT} numbered messages`,
      ok: messages === lines,
      detail: [`${messages} chat.message.sent lines`],
    },
  ];
}

/** After the impaired run: UDP lost some numbered messages, TCP none; the router said what it did. */
function impairedStopped(ctx: Context): Assertion[] {
  const server = jsonLines(ctx, 'server');
  const router = jsonLines(ctx, 'router');
  const relayed = new Set(
    server
      .filter((l) => l.event === 'udp.message.relayed' && l.member === 'remote-user')
      .map((l) => /^#(\d+)\//.exec(String(l.preview ?? ''))?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number),
  );
  const missing = Array.from({ length: WAN_COUNT }, (_, k) => k + 1).filter((n) => !relayed.has(n));
  const ready = router.find((l) => l.event === 'router.ready');
  const loss = router.filter((l) => l.event === 'router.rule.applied' && l.purpose === 'loss');
  const noNetem = router.find((l) => l.event === 'router.delay.unavailable');
  const delayed = router.filter((l) => l.event === 'router.rule.applied' && l.purpose === 'delay');
  const retrans = ['server', 'remote'].map(
    (side) => capture(ctx, side as 'server' | 'remote')?.retransmissions ?? 0,
  );
  const echo = jsonLines(ctx, 'echo-remote');
  return [
    ...impaired(ctx),
    {
      title: `the router dropped at random in both directions (two statistic rules) at LAB_WAN_LOSS=${String(ready?.lossPercent)} %`,
      ok: loss.length === 2 && ready?.lossPercent === Number(process.env.LAB_WAN_LOSS),
      detail: loss.map((l) => String(l.command)),
    },
    {
      title: `the server got some of the ${WAN_COUNT} numbered chat messages, not all (UDP does not resend)`,
      ok: missing.length > 0 && relayed.size > 0,
      detail: [`got ${relayed.size}, missing: ${missing.join(', ') || 'none'}`],
    },
    {
      title: `the echo client's connection ended cleanly after every byte came back (TCP resent what was lost)`,
      ok: echo.some((l) => l.event === 'client.disconnected' && l.bytesSent === l.bytesReceived),
      detail: echo.filter((l) => l.event === 'client.disconnected').map((l) => JSON.stringify(l)),
    },
    {
      title:
        'the captures show TCP retransmissions (a data segment sent again with the same sequence number)',
      ok: retrans.reduce((a, b) => a + b, 0) > 0,
      detail: [`server side ${retrans[0]}, remote side ${retrans[1]}`],
    },
    {
      title: `LAB_WAN_DELAY=${process.env.LAB_WAN_DELAY}: the router delayed the link with netem, or said clearly that this kernel has no netem`,
      ok: (noNetem !== undefined && /no netem/.test(String(noNetem.msg))) !== (delayed.length === 2),
      detail: [
        noNetem ? `router.delay.unavailable: ${String(noNetem.msg)}` : `delay rules: ${delayed.length}`,
      ],
    },
  ];
}

// ---- the student's own programs (issue 18) ---------------------------------------------------

/** The lines of the fixture's programs the report must show (test/fixtures/own/echo). */
const OWN_CODE = ['data = conn.recv(BUF_SIZE)', 'sock.connect((HOST, PORT))'];
/** And of the chat's (test/fixtures/own/chat), when the own pass runs it. */
const OWN_CHAT_CODE = ['data, addr = sock.recvfrom(BUF_SIZE)', 'sock.sendto(data, client)'];
/**
 * The own pass runs the student's chat too when scripts/test-docker.sh sets LAB_OWN_CHAT_SERVER and
 * LAB_OWN_CHAT_CLIENT (issue 19): then our chat check has no clients of ours to judge, and the
 * own-chat checks judge theirs.
 */
const OWN_CHAT =
  (process.env.LAB_OWN_CHAT_SERVER ?? '') !== '' && (process.env.LAB_OWN_CHAT_CLIENT ?? '') !== '';
const OUR_CHAT_CHECKS: CheckId[] = OWN_CHAT ? [] : ['chat'];
const OWN_CHAT_CHECKS = (OWN_CHAT ? ['own-chat-server', 'own-chat-client'] : []) as unknown as CheckId[];
const SOCKET_WRITES = new Set(['write', 'send', 'sendto', 'sendmsg']);

/** Bytes the student's program in `name` wrote to its sockets, as strace saw them (own.call). */
function ownBytesSent(ctx: Context, name: string): number {
  return jsonLines(ctx, name)
    .filter((l) => l.event === 'own.call' && SOCKET_WRITES.has(String(l.call)))
    .reduce((n, l) => n + Math.max(0, Number(l.bytes ?? l.result ?? 0)), 0);
}

/** Our server stepped aside for theirs; their server was started, traced, and listened. */
function ownServerUp(ctx: Context): Assertion[] {
  const server = jsonLines(ctx, 'server');
  const own = jsonLines(ctx, 'own-echo-server');
  const started = own.find((l) => l.event === 'own.program.started');
  const listen = own.find((l) => l.event === 'own.call' && l.call === 'listen' && Number(l.result) === 0);
  return [
    {
      title: "our server did not start its TCP echo: the student's server serves the port (server.replaced)",
      ok:
        server.some((l) => l.event === 'server.replaced' && l.protocol === 'tcp') &&
        !server.some((l) => l.event === 'server.listening' && l.protocol === 'tcp'),
      detail: server.filter((l) => String(l.event).startsWith('server.')).map((l) => String(l.event)),
    },
    {
      title: "the student's echo server was started under strace and its listen() succeeded",
      ok: started?.traced === true && listen !== undefined,
      detail: [`own.program.started: ${JSON.stringify(started)}`, `listen: ${JSON.stringify(listen)}`],
    },
  ];
}

async function ownRunning(ctx: Context): Promise<Assertion[]> {
  const require: CheckId[] = ['local', 'vm', 'remote', ...OUR_CHAT_CHECKS];
  const analysis = await analyse(await reportInputs(ctx.dir), { require, allRuns: ALL_RUNS });
  const out = [
    ...checksPass(analysis, require),
    ...addressesMatchDocker(ctx, analysis, !OWN_CHAT),
    // Each side holds a SYN to the port; which SYNs, with their addresses, the lab pass checks. Here
    // the capture once missed the local client's first 0.2 s on lo (cause not found yet): the own
    // pass is about the student's programs, and their connections are checked from the trace.
    ...captures(ctx, false),
    ...ownServerUp(ctx),
    ...(OWN_CHAT ? ownChatServerUp(ctx) : []),
  ];
  // Their client prints `echo: ` and the line (test/fixtures/own/echo/client.py).
  for (const [service, greeting] of Object.entries(GREETINGS)) {
    out.push(onScreen(ctx, service, `echo: ${greeting}`, `the echo "${greeting}" is on ${service}'s screen`));
  }
  if (OWN_CHAT) {
    // Their clients greet at once, each as soon as it starts: the one that joined first sees the
    // other's greeting relayed by their server; the other one sees the first only when it writes
    // again (own-attach types a line into chat-vm).
    const lines = [
      ['chat-vm', `${CHAT['chat-remote'].nick}: ${CHAT['chat-remote'].say}`],
      ['chat-remote', `${CHAT['chat-vm'].nick}: ${CHAT['chat-vm'].say}`],
    ] as const;
    out.push({
      title: `their server relayed one chat client's greeting to the other across networks: ${lines.map(([c, l]) => `"${l}" on ${c}'s screen`).join(' or ')}`,
      ok: lines.some(([c, l]) => screen(ctx, c).includes(l)),
      detail: lines.flatMap(([c]) => [
        `end of screen "${c}":`,
        ...screen(ctx, c)
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(-6)
          .map((l) => `  ${l.slice(0, 300)}`),
      ]),
    });
    return out;
  }
  for (const [service, other] of [
    ['chat-vm', CHAT['chat-remote']],
    ['chat-remote', CHAT['chat-vm']],
  ] as const) {
    const line = `<${other.nick}> ${other.say}`;
    out.push(onScreen(ctx, service, line, `"${line}" is on ${service}'s screen`));
  }
  return out;
}

/** Our server stepped aside for their chat server, which was started, traced, and bound its port. */
function ownChatServerUp(ctx: Context): Assertion[] {
  const server = jsonLines(ctx, 'server');
  const own = jsonLines(ctx, 'own-chat-server');
  const started = own.find((l) => l.event === 'own.program.started');
  const bound = own.find((l) => l.event === 'own.listening');
  return [
    {
      title:
        "our server did not start its UDP chat: the student's chat server serves the port (server.replaced)",
      ok:
        server.some((l) => l.event === 'server.replaced' && l.protocol === 'udp') &&
        !server.some((l) => l.event === 'server.listening' && l.protocol === 'udp'),
      detail: server.filter((l) => String(l.event).startsWith('server.')).map((l) => String(l.event)),
    },
    {
      title: `the student's chat server was started under strace and bound UDP port ${process.env.LAB_OWN_CHAT_PORT}`,
      ok:
        started?.traced === true &&
        bound?.how === 'bound' &&
        bound.port === Number(process.env.LAB_OWN_CHAT_PORT),
      detail: [`own.program.started: ${JSON.stringify(started)}`, `own.listening: ${JSON.stringify(bound)}`],
    },
  ];
}

async function ownAttach(ctx: Context): Promise<Assertion[]> {
  const exited = (service: string, what: string): Assertion => {
    const c = ctx.docker.get(service);
    return {
      title: `typing exit ended the student's ${what} in ${ctx.prefix}-${service} with exit code 0`,
      ok: c?.status === 'exited' && c.exitCode === 0,
      detail: [`docker: ${c ? `${c.status}, exit code ${c.exitCode}` : 'no such container'}`],
    };
  };
  const out = [
    onScreen(ctx, 'attach', `echo: ${ctx.typed}`, `the attached terminal shows "echo: ${ctx.typed}"`),
    exited('echo-vm', 'client'),
  ];
  if (!OWN_CHAT) return out;
  // The line typed into chat-vm went to their server, which sent it on to the remote member.
  const line = `${CHAT['chat-vm'].nick}: chat-${ctx.typed}`;
  return [
    ...out,
    onScreen(
      ctx,
      'chat-remote',
      line,
      `"${line}", typed into chat-vm, is on chat-remote's screen (relayed by their server)`,
    ),
    exited('chat-vm', 'chat client'),
    await ownChatNat(ctx),
  ];
}

/** The mistake profile's containers in the own pass: their clients there, run by `socket-lab own`. */
const OWN_MISTAKE_SERVICES = ['server-mistake', 'echo-mistake', ...(OWN_CHAT ? ['chat-mistake'] : [])];

/**
 * The mistake profile with their clients (server-mistake binds 127.0.0.1): their echo client was
 * refused and said so with a non-zero exit; their chat client, whose datagrams reached no socket,
 * printed a sentence and ended, no traceback. (`socket-lab own` itself exits 0 in both.)
 */
function ownMistakeFindings(analysis: Analysis): Assertion[] {
  const echo = findingsOf(analysis, 'own-echo-client');
  const chat = findingsOf(analysis, 'own-chat-client');
  return [
    {
      title:
        'their echo client in echo-mistake was refused and said so: a message and a non-zero exit (own-client-refused-ok)',
      ok: echo.some((f) => f.code === 'own-client-refused-ok' && f.params.scenario === 'mistake'),
      detail: showFindings(echo),
    },
    ...(OWN_CHAT
      ? [
          {
            title:
              'their chat client in chat-mistake, with nothing bound to the port, printed a sentence and ended (unreachable-ok)',
            ok: chat.some((f) => f.code === 'unreachable-ok' && !f.na),
            detail: showFindings(chat),
          },
        ]
      : []),
  ];
}

function exitedZero(ctx: Context, services: readonly string[]): Assertion[] {
  return services.map((service) => {
    const c = ctx.docker.get(service);
    return {
      title: `${ctx.prefix}-${service} exited with code 0`,
      ok: c?.status === 'exited' && c.exitCode === 0,
      detail: [`docker: ${c ? `${c.status}, exit code ${c.exitCode}` : 'no such container'}`],
    };
  });
}

async function ownStopped(ctx: Context): Promise<Assertion[]> {
  const analysis = await analyse(await reportInputs(ctx.dir), {
    require: ['local', 'vm', 'remote', ...OUR_CHAT_CHECKS],
    allRuns: ALL_RUNS,
  });
  const out = checksPass(analysis, [
    'local',
    'vm',
    'remote',
    ...OUR_CHAT_CHECKS,
    'stopped',
    ...OWN_CHECKS,
    ...OWN_CHAT_CHECKS,
  ]);
  if (OWN_CHAT) out.push(...ownChatFindings(analysis));
  out.push(...ownMistakeFindings(analysis));
  const n = bytes(`${GREETINGS['echo-vm']}\n${ctx.typed}\n`);
  const sent = ownBytesSent(ctx, 'echo-vm');
  out.push({
    title: `the student's client in echo-vm wrote ${n} bytes to its socket: the greeting and the typed line (strace)`,
    ok: sent === n,
    detail: [`own.call writes to sockets: ${sent} bytes`],
  });
  const services = [...LAB_SERVICES, ...OWN_MISTAKE_SERVICES];
  out.push({
    title: `the ${services.length} lab containers exist`,
    ok: services.every((s) => ctx.docker.has(s)) && ctx.docker.size === services.length,
    detail: [`docker: ${[...ctx.docker.keys()].join(', ')}`],
  });
  out.push(...exitedZero(ctx, services));
  return out;
}

const showFindings = (fs: Analysis['checks'][number]['findings']) =>
  fs.map((f) => `${f.ok ? 'ok  ' : 'FAIL'}${f.na ? ' n/a' : ''} ${f.code} ${JSON.stringify(f.params)}`);
const findingsOf = (analysis: Analysis, id: string) =>
  analysis.checks.find((c) => (c.id as string) === id)?.findings ?? [];

/**
 * While the lab runs (Docker still shows the addresses): the remote member reached their chat
 * server from the router's vm address, and their server sent to that address (NAT), as the
 * own-chat-server check found it once the typed line went from chat-vm to chat-remote.
 */
async function ownChatNat(ctx: Context): Promise<Assertion> {
  const analysis = await analyse(await reportInputs(ctx.dir), { allRuns: ALL_RUNS });
  const net = (service: string, network: string) =>
    ctx.docker.get(service)?.networks[`${ctx.prefix}-${network}`]?.ip;
  const routerVm = net('router', 'vm');
  const remote = net('remote', 'wan');
  const server = findingsOf(analysis, 'own-chat-server');
  const nat = server.find((f) => f.code === 'nat-ok');
  return {
    title: `their chat server knew the remote member (${remote} on ${ctx.prefix}-wan) by the router's vm address ${routerVm} and sent to it (NAT)`,
    ok:
      remote !== undefined &&
      nat !== undefined &&
      host(nat.params.own) === remote &&
      host(nat.params.router) === routerVm,
    detail: showFindings(server),
  };
}

/**
 * Once stopped, what their chat's checks found: their chat server relayed between the members; a
 * message reached a client's screen while nobody typed into it (decided from their server's sendto
 * and the client's own calls), and no client failed that.
 */
function ownChatFindings(analysis: Analysis): Assertion[] {
  const server = findingsOf(analysis, 'own-chat-server');
  const client = findingsOf(analysis, 'own-chat-client');
  return [
    {
      title: "their chat server relayed every member's datagram to every other member (relay-ok)",
      ok: server.some((f) => f.code === 'relay-ok'),
      detail: showFindings(server),
    },
    {
      title:
        "after the lab's probe (a datagram not in UTF-8, an empty one, one of 65,507 bytes) their chat server still received (garbage-ok)",
      ok: server.some((f) => f.code === 'garbage-ok' && f.params.probes === 3 && f.params.empty === 1),
      detail: showFindings(server),
    },
    {
      title:
        "a message reached a chat client's screen while nobody typed into it (typing-ok, from their server's sendto)",
      ok: client.some((f) => f.code === 'typing-ok') && client.every((f) => f.ok),
      detail: showFindings(client),
    },
  ];
}

/** The report `run --rm report` wrote (DIR/collected/logs) shows their code and their calls. */
function ownReport(ctx: Context): Assertion[] {
  return (['report.md', 'report.ru.md'] as const).flatMap((name) => {
    const file = join(ctx.dir, 'collected', 'logs', name);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const code = [...OWN_CODE, ...(OWN_CHAT ? OWN_CHAT_CODE : [])];
    const calls = ['recvfrom', 'accept4', ...(OWN_CHAT ? ['sendto'] : [])];
    const files = ['server.py', 'client.py', ...(OWN_CHAT ? ['chat_server.py', 'chat_client.py'] : [])];
    // Their chat's datagrams beside its calls, one of them seen across the router (NAT).
    const wire =
      name === 'report.md' ? 'across the router, which rewrote' : 'по другую сторону маршрутизатора';
    const want = [...files, ...code, ...calls, ...(OWN_CHAT ? [wire] : [])];
    const missing = want.filter((w) => !text.includes(w));
    return [
      {
        title: `${name} shows the student's code (${code.join(', ')}) and the calls it made (${calls.join(', ')})${OWN_CHAT ? ", with their chat's datagrams in the captures" : ''}`,
        ok: text !== '' && missing.length === 0,
        detail: [text === '' ? 'no such file' : `missing: ${missing.join(', ')}`],
      },
    ];
  });
}

/** The echo clients of the lab without its chat (own_lab in scripts/test-docker.sh). */
const ECHO_SERVICES = ['server', ...NETWORK_SERVICES, 'own-echo-server', ...Object.keys(GREETINGS)];

/**
 * The C echo server (its own image, our clients): every scenario served through it, and the
 * 1024-byte reads of its forked children seen by strace -f. Once stopped, its checks pass and
 * every container ended with 0.
 */
async function ownC(ctx: Context, stoppedYet: boolean): Promise<Assertion[]> {
  // echo: once stopped (a connection still open is not yet a finished echo).
  const required: CheckId[] = stoppedYet ? ['local', 'vm', 'remote', 'echo'] : ['local', 'vm', 'remote'];
  const analysis = await analyse(await reportInputs(ctx.dir), { require: required, allRuns: ALL_RUNS });
  const own = jsonLines(ctx, 'own-echo-server');
  const started = own.find((l) => l.event === 'own.program.started');
  const reads = own.filter(
    (l) => l.event === 'own.call' && /^(read|recv|recvfrom|recvmsg)$/.test(String(l.call)),
  );
  const port = Number(process.env.LAB_OWN_ECHO_PORT);
  const listening = own.find((l) => l.event === 'own.listening');
  const out = [
    ...checksPass(analysis, stoppedYet ? [...required, 'stopped', 'own-echo-server' as CheckId] : required),
    ...ownServerUp(ctx),
    {
      title: `the C server listens on LAB_OWN_ECHO_PORT=${port}, and our clients reached it there`,
      ok: listening?.port === port,
      detail: [`own.listening: ${JSON.stringify(listening)}`],
    },
    {
      title: "the C server's reads, in its forked children, each ask for 1024 bytes (strace -f)",
      ok:
        reads.length > 0 &&
        reads.every((l) => Number(l.size) === 1024) &&
        reads.some((l) => l.ownPid !== started?.ownPid),
      detail: [`started: ${JSON.stringify(started)}`, ...reads.slice(0, 4).map((l) => JSON.stringify(l))],
    },
  ];
  if (!stoppedYet) {
    for (const [service, greeting] of Object.entries(GREETINGS)) {
      out.push(
        onScreen(ctx, service, `echo: ${greeting}`, `the echo "${greeting}" is on ${service}'s screen`),
      );
    }
    return out;
  }
  for (const service of ECHO_SERVICES) {
    const c = ctx.docker.get(service);
    out.push({
      title: `${ctx.prefix}-${service} exited with code 0`,
      ok: c?.status === 'exited' && c.exitCode === 0,
      detail: [`docker: ${c ? `${c.status}, exit code ${c.exitCode}` : 'no such container'}`],
    });
  }
  return out;
}

/**
 * Each mutant of test/fixtures/own/echo-mutants (and one of chat-mutants) and the one thing it breaks (test/fixtures/own/
 * README.md): the own-program check that must fail, the finding that says why, and the findings
 * that follow from it and may fail too: a server bound to 127.0.0.1 cannot serve the vm and remote
 * clients, a client that sends `exit` on sends more than the lines typed before it.
 */
const MUTANTS: Record<string, { check: string; finding: string; follows?: string[] }> = {
  recv4096: { check: 'own-echo-server', finding: 'own-read-big' },
  'first-1k': { check: 'own-echo-server', finding: 'own-bytes-diff' },
  'bind-localhost': {
    check: 'own-echo-server',
    finding: 'own-bind-loopback',
    follows: ['own-served-missing'],
  },
  'ignores-exit': {
    check: 'own-echo-client',
    finding: 'own-client-exit-ignored',
    follows: ['own-client-sent-diff'],
  },
  traceback: { check: 'own-echo-client', finding: 'own-client-traceback' },
  // test/fixtures/own/chat-mutants: their chat server, our chat clients in the plain protocol.
  'relays-to-sender': { check: 'own-chat-server', finding: 'back-to-sender' },
  'dies-on-garbage': { check: 'own-chat-server', finding: 'garbage-died' },
};

/** A mutant's run, stopped: its own-program check fails, for the one reason it was made for only. */
async function mutant(ctx: Context, name: string): Promise<Assertion[]> {
  const want = MUTANTS[name];
  if (!want) return [{ title: `E2E_MUTANT names a known mutant (got "${name}")`, ok: false }];
  const analysis = await analyse(await reportInputs(ctx.dir), { allRuns: ALL_RUNS });
  const r = analysis.checks.find((c) => (c.id as string) === want.check);
  const failing = (r?.findings ?? []).filter((f) => !f.ok).map((f) => f.code as string);
  const allowed = [want.finding, ...(want.follows ?? [])];
  return [
    {
      title: `mutant ${name}: the "${want.check}" check fails with ${want.finding}${want.follows ? ` (and only what follows from it: ${want.follows.join(', ')})` : ', and only with it'}`,
      ok: r?.status === 'fail' && failing.includes(want.finding) && failing.every((c) => allowed.includes(c)),
      detail: [
        `status ${r?.status ?? '(no such check)'}; ${summary(analysis)}`,
        ...(r?.findings ?? []).map((f) => `${f.ok ? 'ok  ' : 'FAIL'} ${f.code} ${JSON.stringify(f.params)}`),
      ],
    },
  ];
}

async function judge(phase: Phase, ctx: Context): Promise<Assertion[]> {
  ctx.docker = await containers(ctx.prefix, ctx.prefix);
  await fetchLogs(ctx.dir, ctx.prefix, ctx.docker.values());
  if (phase === 'running') return running(ctx);
  if (phase === 'attach') return attach(ctx);
  if (phase === 'mistake') return mistake(ctx);
  if (phase === 'impaired') return impaired(ctx);
  if (phase === 'impaired-stopped') return impairedStopped(ctx);
  if (phase === 'own-running') return ownRunning(ctx);
  if (phase === 'own-attach') return ownAttach(ctx);
  if (phase === 'own-stopped') return ownStopped(ctx);
  if (phase === 'own-report') return ownReport(ctx);
  if (phase === 'own-c') return ownC(ctx, false);
  if (phase === 'own-c-stopped') return ownC(ctx, true);
  if (phase === 'mutant') return mutant(ctx, process.env.E2E_MUTANT ?? '');
  return stopped(ctx);
}

async function main(): Promise<number> {
  const [phase, dir, flag, seconds] = process.argv.slice(2);
  const prefix = process.env.LAB_PREFIX;
  const wait = flag === '--wait' ? Number(seconds) : 0;
  if (!PHASES.includes(phase as Phase) || !dir || !prefix || !Number.isFinite(wait)) {
    process.stderr.write(
      `usage: LAB_PREFIX=... node --import tsx test/e2e/check.ts ${PHASES.join('|')} DIR [--wait SECONDS]\n`,
    );
    return 2;
  }
  const ctx: Context = { dir, prefix, typed: process.env.E2E_TYPED ?? '', docker: new Map() };
  const deadline = Date.now() + wait * 1000;
  let results = await judge(phase as Phase, ctx);
  while (results.some((r) => !r.ok) && Date.now() < deadline) {
    await sleep(1000);
    results = await judge(phase as Phase, ctx);
  }
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.ok ? 'ok  ' : 'FAIL'} ${phase}: ${r.title}`);
    if (!r.ok) for (const d of r.detail ?? []) out.push(`       ${d}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

process.exitCode = await main();
