import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { LabError } from '../../src/errors.ts';
import { fillTemplate, runOwnProgram, type OwnRunOptions } from '../../src/own/runner.ts';
import { FIXTURES, PYTHON, memoryLog, needsStraceAndPython, parsed } from './own-helpers.ts';

/** Runs `command` as an own echo server in the fixtures' echo folder and returns its log and result. */
async function run(command: string, extra: Partial<OwnRunOptions> = {}, stopAfterMs?: number) {
  const m = memoryLog();
  const r = runOwnProgram({
    role: 'echo-server',
    command,
    dir: `${FIXTURES}echo`,
    port: 7007,
    trace: true,
    log: m.log,
    relay: null,
    ...extra,
  });
  let timer: NodeJS.Timeout | undefined;
  if (stopAfterMs !== undefined) timer = setTimeout(() => void r.stop(), stopAfterMs);
  const result = await Promise.race([
    r.done,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the run did not end in 30 s')), 30000),
    ),
  ]).finally(() => clearTimeout(timer));
  await r.stop();
  await m.flush();
  const lines = parsed(m.lines);
  const failed = lines.filter((l) => l.event === 'own.program.failed');
  return { result, lines, failed };
}

test('placeholders: values are checked before anything runs; a missing one names its option', () => {
  assert.equal(
    fillTemplate('python3 c.py {host} {port}', { host: '10.0.0.5', port: 7007 }),
    'python3 c.py 10.0.0.5 7007',
  );
  assert.equal(fillTemplate('python3 chat.py {nick}', { nick: 'Анна_1' }), 'python3 chat.py Анна_1');
  for (const values of [{ host: '1.2.3.4; rm -rf /' }, { host: '$(id)' }, { nick: 'a b' }, { nick: '`x`' }]) {
    assert.throws(
      () => fillTemplate('x {host} {nick}', { host: 'h', nick: 'n', ...values }),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_ERR_BAD_OPTION',
    );
  }
  assert.throws(() => fillTemplate('x {port}', {}), /uses \{port\} but no port was given \(--port\)/);
  assert.throws(() => fillTemplate('   ', {}), /the command is empty/);
});

test('each bad input gets one clear line: not found, exits at once, never listens, wrong port', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const notFound = await run('no-such-program-own18 {port}');
  assert.deepEqual(
    notFound.failed.map((l) => l.reason),
    ['not-found'],
  );
  assert.match(
    String(notFound.failed[0]?.msg),
    /Expected: .*happened: .*not found.*change: LAB_OWN_ECHO_SERVER/,
  );

  const atOnce = await run(`${PYTHON} -c "import sys; sys.exit(3)"`);
  assert.deepEqual(
    atOnce.failed.map((l) => l.reason),
    ['exited-at-once'],
  );
  assert.equal(atOnce.result.code, 3);

  const never = await run(`${PYTHON} -c "import time; time.sleep(30)"`, { listenTimeoutMs: 1500 }, 2500);
  assert.deepEqual(
    never.failed.map((l) => l.reason),
    ['never-listened'],
  );
  assert.equal(never.result.reason, 'stopped');

  // The template ignores {port}: the server listens where it likes (port 0: the kernel's choice).
  const wrong = await run(`${PYTHON} server.py 0`, {}, 2500);
  assert.deepEqual(
    wrong.failed.map((l) => l.reason),
    ['wrong-port'],
  );
  const facts = wrong.failed[0]?.facts as { port: number; local: string };
  assert.equal(facts.port, 7007);
  assert.match(facts.local, /^0\.0\.0\.0:\d+$/);
  assert.match(String(wrong.failed[0]?.setting), /LAB_OWN_ECHO_SERVER \(\{port\}\), LAB_OWN_ECHO_PORT/);
});

test('megabytes of output: bounded lines, exact counts, one flood line', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const total = 1_500_000; // "y\n" lines: 3 MB
  const flood = await run(`yes | head -n ${total}; sleep 30`, { outputLinesPerSecond: 50 }, 4000);
  assert.deepEqual(
    flood.failed.map((l) => l.reason),
    ['output-flood'],
  );
  const single = flood.lines.filter((l) => l.event === 'own.output' && l.stream === 'stdout').length;
  const summarised = flood.lines
    .filter((l) => l.event === 'own.output.summary' && l.stream === 'stdout')
    .reduce((a, l) => a + Number(l.lines), 0);
  assert.equal(single + summarised, total, 'every line logged or counted, exactly once');
  assert.ok(single <= 50 * 6, `at most the budget logged one by one (${single})`);
});

test('forks without end are named; SIGTERM ignored means SIGKILL after the grace', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const forks = await run(
    'i=0; while [ $i -lt 40 ]; do sleep 20 & i=$((i+1)); done; wait',
    { maxProcesses: 10 },
    3000,
  );
  assert.ok(
    forks.failed.some((l) => l.reason === 'fork-flood'),
    JSON.stringify(forks.failed),
  );
  assert.equal(forks.result.reason, 'stopped');

  const started = Date.now();
  const stubborn = await run(
    `${PYTHON} -c "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"`,
    { graceMs: 1000, listenTimeoutMs: 60000 },
    1500,
  );
  assert.deepEqual(
    stubborn.failed.map((l) => l.reason),
    ['killed-after-grace'],
  );
  assert.equal(stubborn.result.reason, 'killed-after-grace');
  assert.ok(Date.now() - started < 10000);
  assert.ok(stubborn.lines.some((l) => l.event === 'own.output' && l.text === 'up'));
});

test('a UDP chat server is listening once its UDP socket is bound: no listen() is asked of it', async (t) => {
  if (!needsStraceAndPython(t)) return;
  // A free UDP port: the kernel's choice, freed again for the program.
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const chat = { role: 'chat-server' as const, dir: `${FIXTURES}chat`, port, listenTimeoutMs: 1500 };
  const bound = await run(`${PYTHON} chat_server.py {port}`, chat, 3000);
  assert.deepEqual(bound.failed, []);
  const listening = bound.lines.filter((l) => l.event === 'own.listening');
  assert.deepEqual(
    listening.map((l) => [l.how, l.port, l.local]),
    [['bound', port, `0.0.0.0:${port}`]],
  );
  assert.match(String(listening[0]?.msg), /UDP has no listen\(\)/);
  assert.equal(bound.result.listening, `0.0.0.0:${port}`);

  // A chat server that never binds is still named, in the words of UDP.
  const never = await run(`${PYTHON} -c "import time; time.sleep(30)"`, chat, 2500);
  assert.deepEqual(
    never.failed.map((l) => [l.reason, (l.facts as { udp?: boolean }).udp]),
    [['never-listened', true]],
  );
  assert.match(String(never.failed[0]?.expected), /bind\(\) of a UDP socket to port/);
});

test('a prompt printed without a newline is logged when the stream ends, marked unfinished', async (t) => {
  if (!needsStraceAndPython(t)) return;
  // `> ` is what input() prints; the line ends only when the program does.
  const prompt = await run(`printf 'up\\n> '; sleep 30`, {}, 1500);
  const out = prompt.lines.filter((l) => l.event === 'own.output' && l.stream === 'stdout');
  assert.deepEqual(
    out.map((l) => [l.text, l.unfinished]),
    [
      ['up', undefined],
      ['> ', true],
    ],
  );
});
