import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { type Flows, analyseCaptureFile } from '../../src/wire/index.ts';
import { CLI, type Line, parseJsonLines, waitFor, defer } from '../helpers.ts';
import type { Need } from './needs.ts';

// Real captures: tcpdump on the loopback interface of a network namespace of this test's own, with
// the project's built server and clients running inside it. Fixed ports are fine there: nothing
// else lives in the namespace.

/** What a capture test needs: root and iproute2 for the namespace, tcpdump for the capture. */
export const CAPTURE: Need = { root: true, tools: ['ip', 'tcpdump'] };
export const CAPTURE_WHY = 'tcpdump in a network namespace of its own (apt-get install iproute2 tcpdump)';

export interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  json: () => Line[];
  exited: Promise<number | null>;
}

export function run(t: TestContext, ns: string, cmd: string[], input?: string): Running {
  // `ip netns exec` execs the command, so the child's pid is the program itself and gets our signals.
  const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  defer(t, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, out: () => out, err: () => err, json: () => parseJsonLines(out), exited };
}

export function makeNamespace(t: TestContext, name: string): void {
  execFileSync('ip', ['netns', 'add', name]);
  defer(t, () => execFileSync('ip', ['netns', 'del', name]));
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/**
 * Waits until the capture file shows `what`: tcpdump reads packets from a kernel ring, and on a
 * busy machine stopping it right after the traffic loses the packets it has not read yet.
 */
export async function captured(file: string, what: string, done: (flows: Flows) => boolean): Promise<void> {
  // 30 s: on a fresh CI machine the Docker base image is being built beside the unit tests.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (done((await analyseCaptureFile(file)).flows)) return;
    if (Date.now() > deadline) assert.fail(`${file}: still no ${what} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const closedTo = (port: number) => (flows: Flows) =>
  flows.tcp.some((c) => c.server.endsWith(`:${port}`) && c.teardown.complete);

export async function startCapture(
  t: TestContext,
  ns: string,
  file: string,
  iface = 'lo',
  filter: string[] = [],
) {
  // --immediate-mode: hand each packet to tcpdump at once; otherwise the kernel delivers them in
  // blocks, and packets still in an unfinished block when tcpdump gets SIGINT are never written
  // ("15 packets received by filter, 0 packets captured"). -U: write each packet as it comes.
  // -B 16384: a 16 MiB kernel buffer, as the lab's capture containers ask for: the default 2 MiB
  // dropped packets of a burst (a CI run lost the packets that close a connection).
  const p = run(t, ns, [
    'tcpdump',
    '-i',
    iface,
    '--immediate-mode',
    '-B',
    '16384',
    '-U',
    '-n',
    '-w',
    file,
    ...filter,
  ]);
  await waitFor(`tcpdump listening on ${iface} (${p.err()})`, () => p.err().includes('listening on'), 10_000);
  return async () => {
    p.child.kill('SIGINT');
    assert.equal(await p.exited, 0, p.err());
    return p.err();
  };
}

/** The built server in namespace `ns` on the fixed ports 7007/7008, JSON logs on stdout (`extra`: more options). */
export async function startServer(t: TestContext, ns: string, host = '127.0.0.1', extra: string[] = []) {
  const server = run(t, ns, [
    process.execPath,
    CLI,
    'server',
    '--host',
    host,
    '--tcp-port',
    '7007',
    '--udp-port',
    '7008',
    '--log-format',
    'json',
    ...extra,
  ]);
  await waitFor(
    `server listening (${server.err()})`,
    () => server.json().filter((l) => l.event === 'server.listening').length === 2,
    10_000,
  );
  return server;
}
