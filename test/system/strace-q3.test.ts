/**
 * Control question 3 tells the student to watch our server wait with
 * `strace -f -e trace=epoll_pwait,accept4,read,write,writev ...`. This runs our server under exactly
 * that trace (the constant the report prints) and checks the trace shows what the text says it
 * shows: the waits (epoll_pwait: Node's event loop on Linux waits there, not in epoll_wait), the
 * accepted connection (accept4) and the data (read, write or writev). If a Node release waits in
 * another call, this fails and the question's text must change with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STRACE_COMMAND, STRACE_TRACE } from '../../src/report/document/sections/questions.ts';
import { roundTrip, waitFor } from '../helpers.ts';
import { needs } from './needs.ts';
import { serverUnderStrace } from './strace-server.ts';

test('question 3: strace with the report’s trace shows epoll_pwait, accept4 and the reads and writes', async (t) => {
  if (!needs(t, { tools: ['strace'] }, 'question 3’s command is checked against a real strace')) return;
  assert.ok(STRACE_COMMAND.includes(`-f -e ${STRACE_TRACE} `), STRACE_COMMAND);
  const server = await serverUnderStrace(t, STRACE_TRACE);
  const line = Buffer.from('strace sees this line\n');
  assert.deepEqual(await roundTrip(server.port, [line], true), line);
  await waitFor('the connection closed', () =>
    server.lines().find((l) => l.event === 'tcp.connection.closed'),
  );
  await server.stop();

  const lines = server.trace();
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
