import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEchoServer } from '../src/tcp/echo-server.ts';
import { joinChat } from '../src/udp/chat-client.ts';
import { LabError } from '../src/errors.ts';
import {
  CLI,
  captureLog,
  echoTime,
  jsonLinesOf as lines,
  parseJsonLines,
  runCli,
  startServerProcess,
  waitFor,
  defer,
} from './helpers.ts';

// What is outside the server must not stop it: a reader of its stdout that stops reading, a disk
// that fills up, timeouts too large for Node's timers. And the counts it logs are what its
// sockets did. Every test here runs the real server process, as users do.

interface Spawned {
  child: ChildProcess;
  exited: Promise<number | null>;
  tcpPort: number;
  udpPort: number;
}

/** Starts `socket-lab server` whose stdout nobody reads (unless `read`); ports come from the log file. */
async function serverWithLogFile(file: string, extra: string[] = []): Promise<Spawned> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'server',
      '--host',
      '127.0.0.1',
      '--tcp-port',
      '0',
      '--udp-port',
      '0',
      '--log-format',
      'json',
      '--log-file',
      file,
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pause(); // nobody reads: the pipe fills, as with `server | (sleep 40; cat)`
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = await waitFor(
    'server.listening twice in the log file',
    () => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
      const l = parseJsonLines(text).filter((x) => x.event === 'server.listening');
      return l.length === 2 ? l : undefined;
    },
    15_000,
  );
  const port = (proto: string) => listening.find((l) => l.protocol === proto)?.port as number;
  return { child, exited, tcpPort: port('tcp'), udpPort: port('udp') };
}

/** Starts `n` clients that each stream 20 KB every 5 ms (and read their echo) until stopped. */
function streamers(port: number, n: number): () => void {
  const block = Buffer.alloc(1000, 0x61);
  const all = Array.from({ length: n }, () => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', () => {});
    const timer = setInterval(() => {
      for (let k = 0; k < 20 && s.writable; k++) s.write(block);
    }, 5);
    return { s, timer };
  });
  return () => {
    for (const { s, timer } of all) {
      clearInterval(timer);
      s.destroy();
    }
  };
}

test('nobody reads stdout: TCP and UDP clients are still served, SIGTERM stops the server in its deadline', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-unread-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.jsonl');
  const server = await serverWithLogFile(file);
  defer(t, () => server.child.kill('SIGKILL'));
  const stop = streamers(server.tcpPort, 20);
  defer(t, stop);
  // Long enough for the 64 KiB pipe and the 1 MiB backlog to fill: the old logger froze here.
  await waitFor(
    'a backlog of log lines (the stdout pipe is full)',
    () => lines(file).filter((l) => l.event === 'tcp.data.summary').length >= 40,
    20_000,
  );
  const tcpMs = await echoTime(server.tcpPort);
  const { log } = captureLog();
  const joinStarted = Date.now();
  const chat = await joinChat({ host: '127.0.0.1', port: server.udpPort, nick: 'late', log });
  const udpMs = Date.now() - joinStarted;
  await chat.leave('user-exit');
  stop();
  const killed = Date.now();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  const stopMs = Date.now() - killed;
  t.diagnostic(
    `stdout unread: new TCP client echoed in ${tcpMs} ms, chat joined in ${udpMs} ms; SIGTERM to exit ${stopMs} ms`,
  );
  assert.equal(code, 0, 'the server exits 0 after SIGTERM');
  assert.ok(stopMs < 8000, `exit within the 8 s stop deadline (took ${stopMs} ms)`);
  const record = lines(file);
  assert.ok(
    record.some((l) => l.event === 'server.stopped'),
    'the log file, the complete record, has server.stopped',
  );
});

test('a reader that comes back gets an exact count of the lines it missed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-unread-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.jsonl');
  const server = await serverWithLogFile(file, ['--portion-lines', '200']);
  defer(t, () => server.child.kill('SIGKILL'));
  const stop = streamers(server.tcpPort, 10);
  await waitFor(
    'lines the stdout reader cannot have taken (over 2 MiB of log)',
    () => readFileSync(file).length > 3 << 20 && true,
    30_000,
  );
  stop();
  let out = '';
  server.child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  server.child.stdout?.resume();
  const notice = await waitFor(
    'log.lines.dropped on stdout once the reader is back',
    () => parseJsonLines(out).find((l) => l.event === 'log.lines.dropped'),
    15_000,
  );
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  // Exact: the file (debug lines aside) holds every line; stdout holds all but the dropped ones.
  const shown = parseJsonLines(out);
  const at = shown.findIndex((l) => l.event === 'log.lines.dropped' && l.time === notice.time);
  const inFile = lines(file);
  const noticeInFile = inFile.findIndex((l) => l.event === 'log.lines.dropped' && l.time === notice.time);
  const before = inFile.slice(0, noticeInFile).filter((l) => (l.level as number) >= 30).length;
  assert.equal(
    at + (notice.lines as number),
    before,
    'lines shown + lines dropped = lines written before the notice',
  );
  assert.equal(notice.file, true);
  t.diagnostic(
    `dropped ${notice.lines} lines (${notice.bytes} bytes) over ${notice.windowMs} ms; shown ${at}`,
  );
});

test('a log file on a full disk (/dev/full): one clear event, no crash, clients served, clean stop', async () => {
  const server = await startServerProcess(['--log-file', '/dev/full']);
  const started = Date.now();
  for (let i = 0; i < 5; i++) await echoTime(server.tcpPort, `line ${i}\n`);
  const failed = await waitFor('log.file.failed on stdout', () =>
    server.json().filter((l) => l.event === 'log.file.failed'),
  );
  assert.equal(failed.length, 1, 'reported once');
  assert.equal(failed[0]?.code, 'ENOSPC');
  assert.match(String(failed[0]?.msg), /\/dev\/full.*ENOSPC.*keep serving/);
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.equal(server.stderr(), '', 'no stack trace, no "unexpected error"');
  assert.ok(server.json().some((l) => l.event === 'server.stopped'));
  assert.ok(Date.now() - started < 20_000);
});

test('timeouts longer than Node timers hold are refused with one rule, at the CLI and in the factory', async () => {
  for (const opt of ['--max-lifetime', '--stall-timeout', '--idle-timeout', '--member-timeout']) {
    const p = runCli(['server', opt, '2147484', '--tcp-port', '0', '--udp-port', '0']);
    assert.equal(await p.exited, 2, `${opt}: a usage error`);
    assert.match(p.stderr(), /at most 2147483 seconds.*timers cannot wait longer/, opt);
  }
  await assert.rejects(
    createEchoServer({ port: 0, host: '127.0.0.1', maxLifetimeMs: 2 ** 31, log: captureLog().log }),
    (err: unknown) => err instanceof LabError && err.code === 'LAB_ERR_BAD_OPTION',
  );
});

test('the largest lifetime timers hold keeps a connection open (it used to close it after 2 ms)', async (t) => {
  const server = await startServerProcess(['--max-lifetime', '2147483', '--stall-timeout', '2147483']);
  defer(t, () => server.child.kill('SIGKILL'));
  const s = net.connect(server.tcpPort, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  s.write('x');
  await once(s, 'data');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!s.destroyed && s.readyState === 'open', 'still open after 300 ms');
  assert.ok(!server.json().some((l) => l.event === 'tcp.connection.closed'));
  s.destroy();
});

test('a client that never reads: bytesOut is what the kernel took, the rest is reported as discarded', async (t) => {
  const server = await startServerProcess(['--stall-timeout', '1']);
  defer(t, () => server.child.kill('SIGKILL'));
  const s = net.connect(server.tcpPort, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  s.pause();
  const block = Buffer.alloc(65536, 0x62);
  let offered = 0;
  const deadline = Date.now() + 10_000;
  while (!s.destroyed && offered < 256 << 20 && Date.now() < deadline) {
    offered += block.length;
    if (!s.write(block)) {
      await Promise.race([
        once(s, 'drain').catch(() => {}),
        once(s, 'close').catch(() => {}),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
    }
  }
  s.on('error', () => {});
  const closed = await waitFor(
    'tcp.connection.closed',
    () => server.json().find((l) => l.event === 'tcp.connection.closed'),
    10_000,
  );
  let read = 0;
  s.on('data', (d: Buffer) => (read += d.length));
  s.resume();
  await new Promise((r) => setTimeout(r, 300));
  const bytesIn = closed.bytesIn as number;
  const bytesOut = closed.bytesOut as number;
  const discarded = closed.bytesDiscarded as number;
  t.diagnostic(
    `read ${bytesIn}, kernel took ${bytesOut}, discarded ${discarded}; the client could read ${read}`,
  );
  assert.equal(closed.reason, 'stalled');
  assert.equal(closed.reset, true);
  assert.ok(discarded > 0, 'some of the echo never reached the kernel');
  assert.ok(bytesOut < bytesIn, 'bytesOut is no longer a copy of bytesIn');
  assert.equal(
    bytesOut + discarded,
    bytesIn,
    'everything written was either taken by the kernel or discarded',
  );
  assert.ok(read <= bytesOut, 'the client cannot read more than the kernel took');
  assert.ok((closed.portionsOut as number) < (closed.portionsIn as number));
});

test('piped binary input: the echo client sends it byte for byte and prints exactly the echo (like nc)', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const data = randomBytes(1 << 20);
  const p = spawn(process.execPath, [CLI, 'echo', '--port', String(server.tcpPort)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.resume();
  p.stdin.end(data);
  const [code] = (await once(p, 'close')) as [number];
  assert.equal(code, 0);
  const echoed = Buffer.concat(out);
  assert.equal(echoed.length, data.length, 'as many bytes out as in');
  assert.ok(echoed.equals(data), 'cmp: identical');

  const crlf = runCli(['echo', '--port', String(server.tcpPort)], 'one\r\ntwo\r\n  exit \r\nnever sent\n');
  assert.equal(await crlf.exited, 0);
  assert.equal(crlf.stdout(), 'one\r\ntwo\r\n', 'CRLF kept, the exit line and what follows not sent');
  const noNewline = runCli(['echo', '--port', String(server.tcpPort)], 'last line without newline');
  assert.equal(await noNewline.exited, 0);
  assert.equal(noNewline.stdout(), 'last line without newline', 'no newline added');
});

test('connection lines have a budget: a flood of refused connects is summarised with exact counts', async (t) => {
  const server = await startServerProcess(['--max-connections', '1', '--connection-lines', '10']);
  defer(t, () => server.child.kill('SIGKILL'));
  const holder = net.connect(server.tcpPort, '127.0.0.1');
  holder.on('error', () => {});
  await once(holder, 'connect');
  defer(t, () => holder.destroy());
  const attempts = 400;
  for (let i = 0; i < attempts; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const s = net.connect(server.tcpPort, '127.0.0.1');
        s.on('error', () => {});
        s.resume(); // reads the refusal line, so the server's FIN is seen
        await Promise.race([once(s, 'close'), new Promise((r) => setTimeout(r, 3000))]);
        s.destroy();
      }),
    );
  }
  const count = () => {
    const json = server.json();
    const single = json.filter((l) => l.event === 'tcp.connection.rejected').length;
    const summed = json
      .filter((l) => l.event === 'tcp.connection.summary')
      .reduce((n, l) => n + ((l.rejected as Record<string, number>)['max-connections'] ?? 0), 0);
    return { single, summed };
  };
  await waitFor('every refusal counted', () => count().single + count().summed === attempts && true, 10_000);
  const { single, summed } = count();
  t.diagnostic(`${attempts} refused: ${single} lines of their own, ${summed} in summaries`);
  assert.ok(single < 100, `at most a budget of lines (${single})`);
});

test('per-address limit: one address cannot hold every slot; another address still gets in', async (t) => {
  const server = await startServerProcess(['--max-per-address', '3']);
  defer(t, () => server.child.kill('SIGKILL'));
  const held: net.Socket[] = [];
  defer(t, () => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    const s = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: '127.0.0.1' });
    s.on('error', () => {});
    await once(s, 'connect');
    held.push(s);
  }
  const fourth = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: '127.0.0.1' });
  fourth.on('error', () => {});
  fourth.resume(); // the server's one line before its FIN is read, so the FIN is seen
  await once(fourth, 'close');
  const other = net.connect({ port: server.tcpPort, host: '127.0.0.1', localAddress: '127.0.0.2' });
  other.on('error', () => {});
  await once(other, 'connect');
  other.write('hi');
  await once(other, 'data');
  other.destroy();
  const rejected = await waitFor('the refusal', () =>
    server.json().find((l) => l.event === 'tcp.connection.rejected'),
  );
  assert.equal(rejected.reason, 'max-per-address');
  assert.match(String(rejected.msg), /3 of the 3 connections one address may have/);
});
