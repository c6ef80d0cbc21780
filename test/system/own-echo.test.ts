import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { analyse, type CheckResult } from '../../src/report/index.ts';
import { connectEcho } from '../../src/tcp/echo-client.ts';
import { createEchoServer } from '../../src/tcp/echo-server.ts';
import { type OwnResult, runOwnProgram } from '../../src/own/runner.ts';
import { FIXTURES, PYTHON, memoryLog, needsStraceAndPython } from './own-helpers.ts';

const LONG = `${'x'.repeat(2500)}\n`; // 2501 bytes: three 1 KB portions, the last one short

/** The failing findings of one check, as "code" strings (what each mutant must fail, exactly). */
function failing(check: CheckResult | undefined): string[] {
  return (check?.findings ?? []).filter((f) => !f.ok).map((f) => f.code);
}
function codes(check: CheckResult | undefined): string[] {
  return (check?.findings ?? []).map((f) => f.code);
}

/** Starts the own echo server of `folder` under strace on a free port: its run, log and port. */
async function startOwnServer(folder: string) {
  const runner = memoryLog();
  const run = runOwnProgram({
    role: 'echo-server',
    command: `${PYTHON} server.py {port}`,
    dir: `${FIXTURES}${folder}`,
    port: 0,
    trace: true,
    log: runner.log,
    relay: null,
  });
  const local = await Promise.race([
    run.listening,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 15000)),
  ]);
  return { runner, run, local, port: Number(/:(\d+)$/.exec(local ?? '')?.[1]) };
}

/**
 * Runs an own echo server from the fixtures on 127.0.0.1 (port 0: the real port comes from its
 * traced listen()), drives it with our Node echo clients as the local scenario (two overlapping
 * clients, one long line, then a client that resets), stops it, and returns the checks.
 */
async function serveWithOwnServer(
  folder: string,
): Promise<{ check: CheckResult | undefined; result: OwnResult; lines: string[] }> {
  const { runner, run, local, port } = await startOwnServer(folder);
  try {
    assert.ok(local, `the server in ${folder} listened (runner log: ${runner.lines.slice(-3).join('\n')})`);
    assert.ok(port > 0, local);
    // One log per client, as in the lab (one container each).
    const clients = memoryLog('local');
    const others = memoryLog('local');
    const first = await connectEcho({ host: '127.0.0.1', port, log: clients.log });
    first.send('hello\n');
    await first.drained(10000);
    // The second client connects while the first is open: served at once, or after the first closes.
    const second = await connectEcho({ host: '127.0.0.1', port, log: others.log });
    second.send(LONG);
    await new Promise((r) => setTimeout(r, 300));
    await first.close('user-exit');
    await second.drained(10000).catch(() => {}); // first-1k never gives it all back
    await second.close('user-exit');
    // A client that resets: one byte, then RST (SO_LINGER 0) instead of FIN.
    const rude = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => rude.once('connect', resolve).once('error', reject));
    rude.write('x');
    await new Promise((r) => setTimeout(r, 200));
    rude.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 300));
    const result = await run.stop();
    await runner.flush();
    await clients.flush();
    await others.flush();
    const analysis = await analyse([
      { name: 'own-server', lines: runner.lines },
      { name: 'echo-local', lines: clients.lines },
      { name: 'echo-local-2', lines: others.lines },
    ]);
    return { check: analysis.checks.find((c) => c.id === 'own-echo-server'), result, lines: runner.lines };
  } finally {
    await run.stop();
  }
}

test('the correct Python echo server passes every check, serving two clients at once and surviving a reset', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const { check, result } = await serveWithOwnServer('echo');
  assert.equal(check?.status, 'pass', JSON.stringify(check?.findings.map((f) => [f.code, f.params])));
  assert.deepEqual(failing(check), []);
  for (const code of [
    'own-read-ok',
    'own-served-ok',
    'own-bytes-ok',
    'own-content-ok',
    'own-close-ok',
    'own-concurrent',
    'own-reset-ok',
  ]) {
    assert.ok(codes(check).includes(code), `${code} in ${codes(check).join(', ')}`);
  }
  assert.equal(result.reason, 'stopped');
  assert.equal(result.code, 0, 'its SIGTERM handler ended it with 0');
  assert.deepEqual(result.failures, []);
});

const SERVER_MUTANTS: Array<[string, string]> = [
  ['recv4096', 'own-read-big'],
  ['first-1k', 'own-bytes-diff'],
  ['bind-localhost', 'own-bind-loopback'],
];
for (const [mutant, code] of SERVER_MUTANTS) {
  test(`the ${mutant} server fails exactly one finding: ${code}`, async (t) => {
    if (!needsStraceAndPython(t)) return;
    const { check } = await serveWithOwnServer(`echo-mutants/${mutant}`);
    assert.equal(check?.status, 'fail');
    assert.deepEqual(failing(check), [code], JSON.stringify(check?.findings.map((f) => [f.code, f.params])));
    const f = check?.findings.find((x) => x.code === code);
    if (code === 'own-read-big') assert.equal(f?.params.size, 4096, 'names the size it asked');
    if (code === 'own-bind-loopback') assert.equal(f?.params.local, '127.0.0.1:0');
    assert.ok((f?.evidence.length ?? 0) > 0, 'with evidence lines');
  });
}

/**
 * Runs an own echo server with two of our clients that send a line of the same length at the same
 * moment (two threads of the server busy at once), waits for both echoes, closes both and stops
 * the server. Returns its check.
 */
async function serveTogether(folder: string, lines: [string, string]): Promise<CheckResult | undefined> {
  const { runner, run, port } = await startOwnServer(folder);
  try {
    assert.ok(port > 0, `the server in ${folder} listened`);
    const logs = [memoryLog('local'), memoryLog('local')];
    const clients = await Promise.all(logs.map((l) => connectEcho({ host: '127.0.0.1', port, log: l.log })));
    // Both accepted before either line goes out, then both lines at once.
    await new Promise((r) => setTimeout(r, 300));
    clients.forEach((c, i) => c.send(lines[i]!));
    await Promise.all(clients.map((c) => c.drained(10000)));
    for (const c of clients) await c.close('user-exit');
    await new Promise((r) => setTimeout(r, 200));
    await run.stop();
    await runner.flush();
    for (const l of logs) await l.flush();
    const analysis = await analyse([
      { name: 'own-server', lines: runner.lines },
      ...logs.map((l, i) => ({ name: `echo-local-${i}`, lines: l.lines })),
    ]);
    return analysis.checks.find((c) => c.id === 'own-echo-server');
  } finally {
    await run.stop();
  }
}

test('the shared-buffer server (one global for every thread) fails exactly one finding: own-content-diff', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const lines: [string, string] = ['from client A\n', 'from client B\n'];
  // The correct server, in the same run of two clients at once: every compared byte equal.
  const good = await serveTogether('echo', lines);
  assert.equal(good?.status, 'pass', JSON.stringify(good?.findings.map((f) => [f.code, f.params])));
  const ok = good?.findings.find((f) => f.code === 'own-content-ok');
  assert.deepEqual([ok?.params.conns, ok?.params.compared], [2, 28]);
  assert.ok(codes(good).includes('own-concurrent'));

  // The mutant: the thread whose recv() came first sleeps, the other thread's recv() overwrites
  // the global, and the first thread writes the other client's line back. As many bytes as it
  // read (the counts pass); other bytes (the content fails), on that one connection.
  const bad = await serveTogether('echo-mutants/shared-buffer', lines);
  assert.equal(bad?.status, 'fail');
  assert.deepEqual(
    failing(bad),
    ['own-content-diff'],
    JSON.stringify(bad?.findings.map((f) => [f.code, f.params])),
  );
  assert.ok(codes(bad).includes('own-bytes-ok'), 'the byte counts agree: only the content tells');
  const f = bad?.findings.find((x) => x.code === 'own-content-diff');
  assert.equal(f?.params.offset, 12, 'the first byte that differs: A against B');
  assert.deepEqual(
    [f?.params.read, f?.params.written].sort(),
    ['from client A\\n', 'from client B\\n'],
    'it read one line and wrote the other',
  );
  assert.notEqual(f?.params.read, f?.params.written);
  assert.deepEqual(
    f?.evidence.map((r) => [r.fields.call, r.fields.fd, r.fields.peer]),
    [
      ['recvfrom', f?.params.fd, f?.params.peer],
      ['sendto', f?.params.fd, f?.params.peer],
    ],
    'the read and the write of the same connection',
  );
  assert.equal(f?.where?.path, 'server.py');
  assert.match(f?.where?.text ?? '', /sendall\(data\)/);
});

test('the one-at-a-time server is noted, not failed', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const { check } = await serveWithOwnServer('echo-mutants/one-at-a-time');
  assert.equal(check?.status, 'pass', JSON.stringify(check?.findings.map((f) => [f.code, f.params])));
  assert.ok(codes(check).includes('own-one-at-a-time'));
  assert.ok(!codes(check).includes('own-concurrent'));
});

/** Runs an own echo client from the fixtures against `port`, typing `typed`, and returns its check. */
async function clientRun(folder: string, port: number, typed: string, stopAfterMs?: number) {
  const runner = memoryLog('local');
  const stdin = new PassThrough();
  const run = runOwnProgram({
    role: 'echo-client',
    command: `${PYTHON} client.py {host} {port}`,
    dir: `${FIXTURES}${folder}`,
    host: '127.0.0.1',
    port,
    trace: true,
    log: runner.log,
    stdin,
    relay: null,
  });
  try {
    stdin.write(typed); // and keep stdin open: `exit` must end it, not the end of input
    const result = await Promise.race([
      run.done,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), stopAfterMs ?? 20000)),
    ]);
    const final = result ?? (await run.stop());
    await runner.flush();
    const analysis = await analyse([{ name: 'own-client', lines: runner.lines }]);
    return {
      check: analysis.checks.find((c) => c.id === 'own-echo-client'),
      result: final,
      lines: runner.lines,
    };
  } finally {
    stdin.end();
    await run.stop();
  }
}

test('own echo clients against our server: the correct one passes, ignores-exit fails only its exit', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const ours = memoryLog();
  const server = await createEchoServer({ host: '127.0.0.1', port: 0, log: ours.log });
  t.after(() => server.close());
  const typed = `hello\n${LONG}exit\n`;

  const good = await clientRun('echo', server.address.port, typed);
  assert.equal(
    good.check?.status,
    'pass',
    JSON.stringify(good.check?.findings.map((f) => [f.code, f.params])),
  );
  for (const code of ['own-client-connected', 'own-client-sent', 'own-client-echo', 'own-client-exit']) {
    assert.ok(codes(good.check).includes(code), `${code} in ${codes(good.check).join(', ')}`);
  }
  assert.equal(good.result.reason, 'exited');
  assert.equal(good.result.code, 0);

  const bad = await clientRun('echo-mutants/ignores-exit', server.address.port, typed, 3000);
  assert.deepEqual(
    failing(bad.check),
    ['own-client-exit-ignored'],
    JSON.stringify(bad.check?.findings.map((f) => [f.code, f.params])),
  );
  assert.equal(bad.check?.findings.find((f) => f.code === 'own-client-exit-ignored')?.params.how, 'sent');
  assert.equal(bad.result.reason, 'stopped');
});

test('a refused connection: the correct client says so and exits non-zero; the traceback one fails with its last line', async (t) => {
  if (!needsStraceAndPython(t)) return;
  // A port nothing listens on: one the kernel gave us a moment ago, closed again.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));

  const good = await clientRun('echo', port, 'hello\n');
  assert.deepEqual(
    failing(good.check),
    [],
    JSON.stringify(good.check?.findings.map((f) => [f.code, f.params])),
  );
  assert.ok(codes(good.check).includes('own-client-refused-ok'));
  assert.equal(good.result.code, 1);

  const bad = await clientRun('echo-mutants/traceback', port, 'hello\n');
  assert.deepEqual(failing(bad.check), ['own-client-traceback']);
  assert.match(
    String(bad.check?.findings.find((f) => f.code === 'own-client-traceback')?.params.last),
    /^ConnectionRefusedError: /,
  );
});

/**
 * The student's server with two of the student's clients that stay connected (as `docker attach`
 * keeps them): the first types `hello`, the second `hello` 1 s later; the second, then the first,
 * then the server are stopped, as `docker compose stop` would. Returns the analysis of all three.
 */
async function ownPair(serverFolder: string) {
  const { runner: server, run: srv, port } = await startOwnServer(serverFolder);
  const clients: Array<{
    log: ReturnType<typeof memoryLog>;
    run: ReturnType<typeof runOwnProgram>;
    stdin: PassThrough;
  }> = [];
  try {
    assert.ok(port > 0, `the server in ${serverFolder} listened`);
    for (const scenario of ['local', 'vm']) {
      const log = memoryLog(scenario);
      const stdin = new PassThrough();
      const run = runOwnProgram({
        role: 'echo-client',
        command: `${PYTHON} client.py {host} {port}`,
        dir: `${FIXTURES}echo`,
        host: '127.0.0.1',
        port,
        trace: true,
        log: log.log,
        stdin,
        relay: null,
      });
      clients.push({ log, run, stdin });
      stdin.write('hello\n');
      await new Promise((r) => setTimeout(r, 1500));
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const c of [...clients].reverse()) await c.run.stop();
    await srv.stop();
    await server.flush();
    for (const c of clients) await c.log.flush();
    return await analyse([
      { name: 'own-server', lines: server.lines },
      ...clients.map((c, i) => ({ name: `own-client-${i}`, lines: c.log.lines })),
    ]);
  } finally {
    for (const c of clients) {
      c.stdin.end();
      await c.run.stop();
    }
    await srv.stop();
  }
}

test('a one-at-a-time server keeps a correct client waiting: the server fails with both traces, the client does not', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const a = await ownPair('echo-mutants/one-at-a-time');
  const server = a.checks.find((c) => c.id === 'own-echo-server');
  const client = a.checks.find((c) => c.id === 'own-echo-client');
  assert.deepEqual(failing(server), ['own-one-at-a-time-waited'], JSON.stringify(codes(server)));
  const f = server?.findings.find((x) => !x.ok);
  assert.deepEqual(
    [...new Set(f?.evidence.map((r) => r.source))].sort(),
    ['own-client-1', 'own-server'],
    'evidence from both traces',
  );
  assert.equal(f?.where?.path, 'server.py');
  assert.match(f?.where?.text ?? '', /accept\(\)/);
  assert.deepEqual(failing(client), [], JSON.stringify(client?.findings.map((x) => [x.code, x.params])));
  assert.ok(codes(client).includes('own-client-echo-server-busy'));

  // The same clients with the correct (threaded) server: nobody waits, nothing is blamed.
  const good = await ownPair('echo');
  assert.deepEqual(failing(good.checks.find((c) => c.id === 'own-echo-server')), []);
  assert.deepEqual(failing(good.checks.find((c) => c.id === 'own-echo-client')), []);
  assert.ok(
    !codes(good.checks.find((c) => c.id === 'own-echo-client')).includes('own-client-echo-server-busy'),
  );
});
