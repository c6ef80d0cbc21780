// `socket-lab server` beside a student's own servers (docker-compose.yml's own-echo-server and
// own-chat-server share its network namespace): the part a student's server replaces stays off,
// says so, and the process still stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import test from 'node:test';
import { runCli, waitFor } from './helpers.ts';

const ARGS = ['server', '--host', '127.0.0.1', '--tcp-port', '0', '--udp-port', '0', '--log-format', 'json'];

for (const replaced of [['tcp'], ['udp'], ['tcp', 'udp']] as const) {
  test(`with a student's ${replaced.join(' and ')} server set, ours does not start that part`, async (t) => {
    const has = (x: string) => (replaced as readonly string[]).includes(x);
    const env: Record<string, string> = { LAB_OWN_ECHO_SERVER: '', LAB_OWN_CHAT_SERVER: '' };
    if (has('tcp')) env.LAB_OWN_ECHO_SERVER = 'python3 server.py {port}';
    if (has('udp')) env.LAB_OWN_CHAT_SERVER = 'python3 chat_server.py {port}';
    const p = runCli(ARGS, undefined, env);
    t.after(() => p.child.kill('SIGKILL'));
    const kept = (['tcp', 'udp'] as const).filter((x) => !has(x));
    // Both replaced: nothing listens, so the replacement lines are what shows it is up.
    await waitFor(
      'the server is up',
      () =>
        p.json().filter((l) => l.event === 'server.listening').length === kept.length &&
        p.json().filter((l) => l.event === 'server.replaced').length === replaced.length,
      10_000,
    );
    const lines = p.json();
    assert.deepEqual(
      lines
        .filter((l) => l.event === 'server.listening')
        .map((l) => l.protocol)
        .sort(),
      [...kept],
    );
    assert.deepEqual(
      lines.filter((l) => l.event === 'server.replaced').map((l) => [l.protocol, l.setting]),
      replaced.map((x) => [x, x === 'tcp' ? 'LAB_OWN_ECHO_SERVER' : 'LAB_OWN_CHAT_SERVER']),
    );
    // Nothing else keeps the process alive when both parts are off: it must wait for the signal
    // (and the stop handler is set just after the parts log that they listen).
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(p.closed(), false, 'the server must hold on until it is stopped');
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.ok(p.json().some((l) => l.event === 'server.stopped'));
    // Its stop line says what it closes: not "the listening socket" when a student's server has it.
    const stopping = p.json().find((l) => l.event === 'server.stopping')!;
    assert.equal(stopping.serving, kept.length === 2 ? undefined : (kept[0] ?? 'none'));
    // So does its start line: no "TCP echo ... 64 KiB" when the echo is the student's.
    const starting = p.json().find((l) => l.event === 'server.starting')!;
    assert.equal(starting.serving, stopping.serving);
    if (has('tcp')) assert.doesNotMatch(String(starting.msg), /64 KiB/);
    if (has('tcp')) assert.doesNotMatch(String(stopping.msg), /listening socket is closed/);
  });
}

test('an empty LAB_OWN_ECHO_SERVER (compose passes unset settings so) leaves ours in place', async (t) => {
  const p = runCli(ARGS, undefined, { LAB_OWN_ECHO_SERVER: '  ', LAB_OWN_CHAT_SERVER: '' });
  t.after(() => p.child.kill('SIGKILL'));
  await waitFor(
    'both listening',
    () => p.json().filter((l) => l.event === 'server.listening').length === 2,
    10_000,
  );
  assert.equal(p.json().filter((l) => l.event === 'server.replaced').length, 0);
  // The stop handler is set once both parts are up, just after they log that they listen: a
  // SIGTERM in between would end the process the default way, which is not what is tested here.
  await new Promise((r) => setTimeout(r, 300));
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});
