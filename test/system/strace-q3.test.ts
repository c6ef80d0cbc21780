/**
 * Control question 3 tells the student to watch our server wait with
 * `strace -f -e trace=epoll_pwait,accept4,read,write,writev ...`. This runs our server under exactly
 * that trace (the constant the report prints) and checks the trace shows what the text says it
 * shows: the waits (epoll_pwait: Node's event loop on Linux waits there, not in epoll_wait), the
 * accepted connection (accept4) and the data (read, write or writev). If a Node release waits in
 * another call, this fails and the question's text must change with it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { STRACE_COMMAND, STRACE_TRACE } from '../../src/report/document/sections/questions.ts';
import { CLI, parseJsonLines, roundTrip, waitFor } from '../helpers.ts';
import { needs } from './needs.ts';

test('question 3: strace with the report’s trace shows epoll_pwait, accept4 and the reads and writes', async (t) => {
  if (!needs(t, { tools: ['strace'] }, 'question 3’s command is checked against a real strace')) return;
  assert.ok(STRACE_COMMAND.includes(`-f -e ${STRACE_TRACE} `), STRACE_COMMAND);
  const dir = mkdtempSync(join(tmpdir(), 'socket-lab-strace-q3-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const trace = join(dir, 'trace.txt');
  const server = [
    'server',
    '--host',
    '127.0.0.1',
    '--tcp-port',
    '0',
    '--udp-port',
    '0',
    '--log-format',
    'json',
  ];
  const child = spawn('strace', ['-f', '-e', STRACE_TRACE, '-o', trace, process.execPath, CLI, ...server], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  // Killing strace only detaches it: stop the server by its own pid (from its log); strace then
  // exits with it. Before the server logged its pid, strace itself goes.
  const served = { pid: 0 };
  const stop = async () => {
    if (served.pid > 0) process.kill(served.pid, 'SIGTERM');
    else child.kill('SIGKILL');
    await exited;
  };
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) await stop();
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const listening = await waitFor(
    'the TCP listener',
    () => parseJsonLines(out).find((l) => l.event === 'server.listening' && l.protocol === 'tcp'),
    30_000,
  );
  served.pid = Number(listening.pid);
  const line = Buffer.from('strace sees this line\n');
  assert.deepEqual(await roundTrip(Number(listening.port), [line], true), line);
  await waitFor('the connection closed', () =>
    parseJsonLines(out).find((l) => l.event === 'tcp.connection.closed'),
  );
  await stop();

  const lines = readFileSync(trace, 'utf8').split('\n');
  const calls = (name: string) => lines.filter((l) => new RegExp(`(^|\\s)${name}\\(`).test(l));
  assert.ok(calls('epoll_pwait').length > 0, 'the event loop waits in epoll_pwait');
  assert.equal(calls('epoll_wait').length, 0, 'epoll_wait is not traced (and not what Node calls)');
  assert.ok(
    calls('accept4').some((l) => /= \d+$/.test(l)),
    'accept4 returned the connected socket',
  );
  assert.ok(
    calls('read').some((l) => l.includes('"strace sees this line\\n"')),
    'a read returned the line',
  );
  assert.ok(
    [...calls('write'), ...calls('writev')].some((l) => l.includes('strace sees this line')),
    'a write or writev sent the echo',
  );
});
