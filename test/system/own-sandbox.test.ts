/**
 * A student's program against the lab that watches it: it must not forge the trace, write the
 * lab's logs or kill strace (it runs as another user), and what it does outside the calls the lab
 * reads (splice, an untraced clone) must show in the checks instead of passing unseen.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { analyse, type CheckResult } from '../../src/report/index.ts';
import { connectEcho } from '../../src/tcp/echo-client.ts';
import { type OwnRunOptions, runOwnProgram } from '../../src/own/runner.ts';
import { defer } from '../helpers.ts';
import { needs } from './needs.ts';
import { PYTHON, memoryLog, parsed } from './own-helpers.ts';

/** An unprivileged user every Debian system has; the lab's image uses `student` (uid 1001). */
const OTHER_USER = 'nobody';

/**
 * Looks for its tracer (TracerPid), writes a forged accept4() from 6.6.6.6 into every pipe strace
 * holds (the trace among them), appends to the lab's log file, tries to become root again, kills strace when asked, then serves
 * echo in 1 KB reads. Each attempt prints its outcome (an errno name when it failed).
 */
const ATTACKER = String.raw`import errno, os, signal, socket, sys, time
port = int(sys.argv[1]); logpath = sys.argv[2]; mode = sys.argv[3]
def say(*a): print(*a, flush=True)
def status(pid, k):
    for l in open(f'/proc/{pid}/status'):
        if l.startswith(k + ':'): return l.split()[1]
def err(e): return errno.errorcode.get(e.errno, str(e.errno))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port)); s.listen(5)
say('uid', os.getuid())
tracer = int(status(os.getpid(), 'TracerPid'))
fake = f'\n{os.getpid()} {time.time():.6f} accept4(3<TCP:[0.0.0.0:1]>, {{sa_family=AF_INET, sin_port=htons(6666), sin_addr=inet_addr("6.6.6.6")}}, [16], SOCK_CLOEXEC) = 9<TCP:[1.2.3.4:1->6.6.6.6:6666]> <0.000010>\n'
opened = 0; errs = set()
try:
    fds = os.listdir(f'/proc/{tracer}/fd')
except OSError as e:
    fds = []; errs.add(err(e))
for n in fds:
    try:
        if not os.readlink(f'/proc/{tracer}/fd/{n}').startswith('pipe:'): continue
        w = os.open(f'/proc/{tracer}/fd/{n}', os.O_WRONLY | os.O_NONBLOCK)
        os.write(w, fake.encode()); os.close(w); opened += 1
    except OSError as e:
        errs.add(err(e))
say('forge', opened, ','.join(sorted(errs)) or '-')
try:
    with open(logpath, 'a') as f: f.write('{"forged":true}\n')
    say('log written')
except OSError as e: say('log', err(e))
try:
    os.setresuid(0, 0, 0); say('root again')
except OSError as e: say('setresuid', err(e))
if mode == 'kill':
    try:
        os.kill(tracer, signal.SIGKILL); say('kill done')
    except OSError as e: say('kill', err(e))
while True:
    c, a = s.accept()
    while True:
        d = c.recv(1024)
        if not d: break
        c.sendall(d)
    c.close()
`;

/** p2 of the review: echoes with splice() through a pipe, 64 KiB at a time, never read()/recv(). */
const SPLICER = `import os, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(5)
r, w = os.pipe()
while True:
    c, a = s.accept()
    while True:
        n = os.splice(c.fileno(), w, 65536)
        if n == 0: break
        while n: n -= os.splice(r, c.fileno(), n)
    c.close()
`;

/** p1 of the review: a raw clone(CLONE_UNTRACED) child, which strace may not follow, does the serving. */
const UNTRACED = `import ctypes, os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(5)
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.syscall(56, 0x00800000 | 17, 0, 0, 0, 0)
if pid == 0:
    while True:
        c, a = s.accept()
        while True:
            d = c.recv(65536)
            if not d: break
            c.sendall(d)
        c.close()
os.waitpid(pid, 0)
`;

/** A folder every user can read, holding `files`; removed after the test. */
function folder(t: Parameters<typeof defer>[0], files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'own-sandbox-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o644);
  }
  return dir;
}

/** Starts an own echo server, sends `line` with our echo client, stops it; the records, the output and the check. */
async function serve(dir: string, command: string, line: string, extra: Partial<OwnRunOptions> = {}) {
  const runner = memoryLog();
  const run = runOwnProgram({
    role: 'echo-server',
    command,
    dir,
    port: 0,
    trace: true,
    log: runner.log,
    relay: null,
    ...extra,
  });
  try {
    const local = await Promise.race([
      run.listening,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15000)),
    ]);
    assert.ok(local, `the server listened (runner log: ${runner.lines.slice(-3).join('\n')})`);
    const port = Number(/:(\d+)$/.exec(local)?.[1]);
    // The program's probes run right after listen(): give them a moment before the client.
    await new Promise((r) => setTimeout(r, 700));
    const client = memoryLog('local');
    const echo = await connectEcho({ host: '127.0.0.1', port, log: client.log });
    echo.send(line);
    await echo.drained(10000);
    await echo.close('user-exit');
    await new Promise((r) => setTimeout(r, 300));
    const result = await run.stop();
    await runner.flush();
    await client.flush();
    const analysis = await analyse([
      { name: 'own-server', lines: runner.lines },
      { name: 'echo-local', lines: client.lines },
    ]);
    const records = parsed(runner.lines);
    const output = records
      .filter((r) => r.event === 'own.output')
      .map((r) => String(r.text))
      .join('\n');
    const clientRecords = parsed(client.lines);
    const check: CheckResult | undefined = analysis.checks.find((c) => c.id === 'own-echo-server');
    return { result, records, output, check, clientRecords };
  } finally {
    await run.stop();
  }
}

const failing = (check: CheckResult | undefined) =>
  (check?.findings ?? []).filter((f) => !f.ok).map((f) => f.code);

test('run as another user, the program cannot forge the trace, write the log or kill strace, and still serves', async (t) => {
  if (!needs(t, { tools: ['strace', 'python3'], root: true }, 'strace -u needs root')) return;
  const dir = folder(t, { 'server.py': ATTACKER });
  // The lab's log, as the lab makes it: its owner's, rw-r--r--, in a folder only its owner writes.
  const logs = folder(t, { 'lab.jsonl': '' });
  const logFile = join(logs, 'lab.jsonl');
  const line = 'hello through the sandbox\n';

  // Control: as the runner's own user, every attack works (so the assertions below can fail).
  const open = await serve(dir, `${PYTHON} server.py {port} ${logFile} forge`, line);
  // At least one of strace's pipes took the forgery (another, whose reader is already gone, may
  // answer EPIPE: which ones exist when it looks depends on timing); the trace shows it below.
  assert.match(open.output, /^forge [1-9]\d* /m, open.output);
  assert.match(open.output, /^log written$/m, open.output);
  assert.ok(
    open.records.some((r) => r.event === 'own.call' && r.peer === '6.6.6.6:6666'),
    'the forged accept4() reached the trace',
  );
  writeFileSync(logFile, '');

  for (const mode of ['forge', 'kill']) {
    const r = await serve(dir, `${PYTHON} server.py {port} ${logFile} ${mode}`, line, { user: OTHER_USER });
    assert.match(r.output, /^uid 65534$/m, r.output);
    assert.match(r.output, /^forge 0 EACCES$/m, `no fd of strace opened: ${r.output}`);
    assert.match(r.output, /^log EACCES$/m, r.output);
    assert.match(r.output, /^setresuid EPERM$/m, 'no way back to root');
    if (mode === 'kill') assert.match(r.output, /^kill EPERM$/m, r.output);
    assert.ok(!r.records.some((x) => x.peer === '6.6.6.6:6666'), 'no forged call in the trace');
    assert.equal(readFileSync(logFile, 'utf8'), '', 'the log file is untouched');
    // strace is still there: the real connection is in the trace, and the echo came back.
    const accepted = r.records.filter((x) => x.event === 'own.call' && x.call === 'accept4');
    assert.ok(accepted.length >= 1, `the real accept4() is traced (${mode})`);
    const done = r.clientRecords.find((x) => x.event === 'client.disconnected');
    assert.equal(done?.bytesReceived, Buffer.byteLength(line), JSON.stringify(done));
    assert.deepEqual(
      r.result.failures,
      [],
      `${mode}: ${JSON.stringify(r.records.filter((x) => x.event === 'own.program.failed'))}`,
    );
    // Bound to 127.0.0.1 on purpose (loopback only): the one failing finding.
    assert.deepEqual(
      failing(r.check),
      ['own-bind-loopback'],
      JSON.stringify(r.check?.findings.map((f) => [f.code, f.params])),
    );
  }
});

test('a server that echoes with splice() fails the 1 KB check with splice sizes', async (t) => {
  if (!needs(t, { tools: ['strace', 'python3'] }, "the program's trace")) return;
  const dir = folder(t, { 'server.py': SPLICER });
  const r = await serve(dir, `${PYTHON} server.py {port}`, `${'x'.repeat(2500)}\n`);
  const splices = r.records.filter((x) => x.event === 'own.call' && x.call === 'splice');
  assert.ok(
    splices.some((x) => x.way === 'read' && x.size === 65536 && Number(x.bytes) > 0),
    JSON.stringify(splices),
  );
  assert.ok(splices.some((x) => x.way === 'write'));
  // Said as the read and the write they are.
  assert.ok(
    splices.some((x) => /^splice\(\) on fd \d+ asked the kernel for up to /.test(String(x.msg))),
    String(splices[0]?.msg),
  );
  assert.ok(
    splices.some((x) => /^splice\(\) on fd \d+ put .* into the socket's send buffer/.test(String(x.msg))),
  );
  const big = r.check?.findings.find((f) => f.code === 'own-read-big');
  assert.ok(big && !big.ok, JSON.stringify(r.check?.findings.map((f) => [f.code, f.params])));
  assert.equal(big.params.call, 'splice');
  assert.equal(big.params.size, 65536);
  assert.equal(r.check?.status, 'fail');
});

test('a clone(CLONE_UNTRACED) child is flagged, and the echo it served without a traced read fails', async (t) => {
  if (!needs(t, { tools: ['strace', 'python3'] }, "the program's trace")) return;
  const dir = folder(t, { 'server.py': UNTRACED });
  const line = 'served outside the trace\n';
  const r = await serve(dir, `${PYTHON} server.py {port}`, line);
  const done = r.clientRecords.find((x) => x.event === 'client.disconnected');
  assert.equal(done?.bytesReceived, Buffer.byteLength(line), 'the untraced child did serve');
  assert.ok(r.result.failures.includes('trace-escaped'), JSON.stringify(r.result.failures));
  const escaped = r.records.find((x) => x.event === 'own.program.failed' && x.reason === 'trace-escaped');
  assert.match(String(escaped?.msg), /part of the program ran outside the trace/);
  assert.match(String((escaped?.facts as { detail?: string }).detail), /CLONE_UNTRACED/);
  assert.ok(
    !r.records.some((x) => x.event === 'own.call' && x.call === 'accept4'),
    'no accept4 in the trace',
  );
  const codes = failing(r.check);
  assert.ok(codes.includes('own-failed'), codes.join(', '));
  assert.ok(codes.includes('own-read-unseen'), codes.join(', '));
});

test("a program's `strace: ...` line on its stderr is its own output, and relayed lines carry a prefix", async (t) => {
  if (!needs(t, { tools: ['strace', 'python3'] }, "the program's trace")) return;
  const dir = folder(t, {
    'client.py':
      "import sys\nprint('strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted', file=sys.stderr)\nprint('12:00:00.000 ERROR [own/local] own.program.failed')\n",
  });
  const m = memoryLog();
  const screen = new PassThrough();
  let shown = '';
  screen.on('data', (c: Buffer) => (shown += c.toString()));
  const r = runOwnProgram({
    role: 'echo-client',
    command: `${PYTHON} client.py`,
    dir,
    trace: true,
    log: m.log,
    relay: { stdout: screen, stderr: screen },
  });
  const result = await r.done;
  await m.flush();
  assert.deepEqual(result.failures, [], 'not taken for strace');
  const out = parsed(m.lines).filter((x) => x.event === 'own.output');
  assert.deepEqual(out.map((x) => [x.stream, x.text]).sort(), [
    ['stderr', 'strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted'],
    ['stdout', '12:00:00.000 ERROR [own/local] own.program.failed'],
  ]);
  assert.deepEqual(shown.split('\n').filter(Boolean).sort(), [
    '│ 12:00:00.000 ERROR [own/local] own.program.failed',
    '│ strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted',
  ]);
});
