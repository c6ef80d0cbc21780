import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { callFields } from '../src/own/runner.ts';
import { type SocketCall, createTraceReader } from '../src/own/strace.ts';
import { ownChecks } from '../src/report/own-checks.ts';
import { echoContent } from '../src/report/own-echo-content.ts';
import type { LogRecord } from '../src/report/parse.ts';
import { OWN_FINDINGS } from '../src/report/own-texts.ts';

// An own echo server's trace, by hand: the runner's own.call records (fields as callFields() logs
// them), with each read's and write's `data` escaped and cut as `strace -s 32` shows it.

/** What strace prints of a buffer: its first 32 bytes, escaped (\n, \\, \", octal), `...` when longer. */
function straceData(bytes: Buffer): string {
  let out = '';
  for (const b of bytes.subarray(0, 32)) {
    if (b === 10) out += '\\n';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return bytes.length > 32 ? `${out}...` : out;
}

function trace() {
  const records: LogRecord[] = [];
  let t = 1_000_000;
  const add = (event: string, fields: Record<string, unknown>): LogRecord => {
    t += 1;
    const r: LogRecord = {
      source: 'own-server',
      line: records.length + 1,
      time: t,
      event: event as LogRecord['event'],
      fields: { role: 'echo-server', ...fields },
      scenario: 'local',
      component: 'own',
      pid: 1,
      hostname: 'vm',
      msg: undefined,
    };
    records.push(r);
    return r;
  };
  add('own.program.started', { command: 'python3 server.py 7007', dir: '/own', ownPid: 40, traced: true });
  add('own.sources', {
    files: [
      {
        path: 'server.py',
        text: 'import socket\ndata = b""\ndef handle(conn):\n    data = conn.recv(1024)\n    conn.sendall(data)\n',
      },
    ],
    skipped: 0,
  });
  const io =
    (call: string) =>
    (fd: number, peer: string, text: string | Buffer, moved?: number, offered?: number): LogRecord => {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      const n = moved ?? bytes.length;
      const reading = call.startsWith('recv') || call === 'read';
      return add('own.call', {
        ownPid: 41 + fd,
        call,
        fd,
        size: reading ? 1024 : (offered ?? bytes.length),
        result: n,
        bytes: n,
        peer,
        local: '127.0.0.1:7007',
        family: 'inet',
        type: 'tcp',
        at: t,
        // strace shows what a read returned, and what a write offered (all of it, up to -s).
        ...(n > 0 ? { data: straceData(reading ? bytes.subarray(0, n) : bytes) } : {}),
      });
    };
  return {
    records,
    accept: (fd: number, peer: string) =>
      add('own.call', {
        ownPid: 40,
        call: 'accept4',
        fd: 3,
        result: fd,
        newFd: fd,
        peer,
        local: '127.0.0.1:7007',
        family: 'inet',
        type: 'tcp',
        at: t,
      }),
    recv: io('recvfrom'),
    send: io('sendto'),
    eof: (fd: number, peer: string) =>
      add('own.call', {
        ownPid: 41 + fd,
        call: 'recvfrom',
        fd,
        size: 1024,
        result: 0,
        bytes: 0,
        peer,
        at: t,
      }),
    failed: (fd: number, peer: string, errno: string) =>
      add('own.call', { ownPid: 41 + fd, call: 'sendto', fd, size: 6, result: -1, errno, peer, at: t }),
    close: (fd: number, peer: string) =>
      add('own.call', { ownPid: 41 + fd, call: 'close', fd, result: 0, peer, at: t }),
    exited: () => add('own.program.exited', { code: 0, reason: 'stopped', durationMs: 100 }),
  };
}

const A = '127.0.0.1:40001';
const B = '127.0.0.1:40002';
const serverCheck = (records: readonly LogRecord[]) => ownChecks(records, [])[0]!;
const content = (records: readonly LogRecord[]) =>
  serverCheck(records).findings.filter((f) => f.code.startsWith('own-content'));

test('an exact echo passes: every byte the trace shows of both sides compared, equal', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'hello\n');
  s.send(4, A, 'hello\n');
  s.recv(4, A, 'second line\n');
  s.send(4, A, 'second line\n');
  s.eof(4, A);
  s.close(4, A);
  s.exited();
  const c = echoContent(s.records);
  assert.deepEqual([c.conns, c.compared, c.diffs.length], [1, 18, 0]);
  const [ok] = content(s.records);
  assert.equal(ok?.code, 'own-content-ok');
  assert.equal(ok?.ok, true);
  assert.deepEqual(
    ok?.evidence.map((r) => r.fields.call),
    ['recvfrom', 'sendto'],
  );
  assert.equal(serverCheck(s.records).status, 'pass');
  assert.match(OWN_FINDINGS.en['own-content-ok']!(ok!.params), /18 bytes compared, 1 connection; /);
  assert.match(OWN_FINDINGS.ru['own-content-ok']!(ok!.params), /сравнено 18 байт в 1 соединении;/);
});

test('an uppercased echo fails at the first different byte, with both calls and the line that writes', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'Hello\n');
  s.send(4, A, 'HELLO\n');
  s.eof(4, A);
  s.close(4, A);
  s.exited();
  const found = content(s.records);
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.equal(f.code, 'own-content-diff');
  assert.equal(f.ok, false);
  assert.deepEqual(
    [f.params.peer, f.params.fd, f.params.offset, f.params.from, f.params.read, f.params.written],
    [A, 4, 1, 0, 'Hello\\n', 'HELLO\\n'],
  );
  assert.deepEqual(
    f.evidence.map((r) => r.fields.call),
    ['recvfrom', 'sendto'],
  );
  assert.equal(f.where?.path, 'server.py');
  assert.match(f.where?.text ?? '', /sendall/);
  assert.equal(serverCheck(s.records).status, 'fail');
  assert.equal(
    OWN_FINDINGS.en['own-content-diff']!(f.params),
    `${A} (fd 4): the bytes your server wrote at offset 1 of the connection differ from the bytes it read there (offsets count from 0): from offset 0 it read "Hello\\n" and wrote "HELLO\\n"`,
  );
  assert.match(
    OWN_FINDINGS.ru['own-content-diff']!(f.params),
    /записал в соединение по смещению 1, отличаются от байтов, которые он прочитал из него по тому же смещению .*прочитано «Hello\\n», записано «HELLO\\n»$/,
  );
});

test('a difference after many equal bytes is shown from a few bytes before it', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'abcdefghijklmnopqrstuvwxyz0123\n');
  s.send(4, A, 'abcdefghijklmnopqrstuvwxyZ0123\n');
  const [d] = echoContent(s.records).diffs;
  assert.deepEqual(
    [d?.offset, d?.from, d?.read, d?.written],
    [25, 17, 'rstuvwxyz0123\\n', 'rstuvwxyZ0123\\n'],
  );
});

test('a global buffer: two connections that got each other’s line fail each, at their own offset', () => {
  const s = trace();
  s.accept(4, A);
  s.accept(5, B);
  // Both lines read (into the one global), then each thread writes what the global holds: the other's.
  s.recv(4, A, 'from client A\n');
  s.recv(5, B, 'from client B\n');
  s.send(4, A, 'from client B\n');
  s.send(5, B, 'from client A\n');
  s.eof(4, A);
  s.eof(5, B);
  s.close(4, A);
  s.close(5, B);
  s.exited();
  const found = content(s.records);
  assert.deepEqual(
    found.map((f) => [f.code, f.params.peer, f.params.fd, f.params.offset, f.params.read, f.params.written]),
    [
      ['own-content-diff', A, 4, 12, 'from client A\\n', 'from client B\\n'],
      ['own-content-diff', B, 5, 12, 'from client B\\n', 'from client A\\n'],
    ],
  );
  assert.ok(found.every((f) => f.params.diffs === 2));
  // Each finding's evidence is the read and the write of its own connection.
  assert.deepEqual(
    found.map((f) => f.evidence.map((r) => `${r.fields.call}:${r.fields.fd}`)),
    [
      ['recvfrom:4', 'sendto:4'],
      ['recvfrom:5', 'sendto:5'],
    ],
  );
  assert.match(OWN_FINDINGS.en['own-content-diff']!(found[0]!.params), /\(2 connections like this\)$/);
  assert.match(OWN_FINDINGS.ru['own-content-diff']!(found[0]!.params), /\(таких соединений: 2\)$/);
  // Compared only within one connection: the same bytes on another connection are no excuse,
  // and the same fd number with another peer is another connection.
  const other = trace();
  other.accept(4, A);
  other.recv(4, A, 'one\n');
  other.accept(5, B);
  other.send(5, B, 'one\n');
  other.send(4, A, 'two\n');
  assert.deepEqual(
    echoContent(other.records).diffs.map((d) => d.peer),
    [A],
  );
});

test('long calls: only the first 32 bytes of each are known, and an unknown byte is never a difference', () => {
  const s = trace();
  s.accept(4, A);
  const line = Buffer.from(`${'a'.repeat(40)}${'b'.repeat(1000)}\n`); // 1041 bytes
  // Read in 1024 + 17, written back in one call of 1041 (sendall): the write's 32 known bytes
  // meet the first read's 32; the second read's known bytes (offset 1024) meet nothing written.
  s.recv(4, A, line.subarray(0, 1024));
  s.recv(4, A, line.subarray(1024));
  // The write's bytes 32..1040 are unknown: its preview says nothing of the `b`s.
  const changed = Buffer.from(line);
  changed.fill('c'.charCodeAt(0), 100, 1040);
  s.send(4, A, changed);
  const c = echoContent(s.records);
  assert.deepEqual([c.conns, c.compared, c.diffs.length], [1, 32, 0]);
  assert.equal(content(s.records)[0]?.code, 'own-content-ok');
  // Cyrillic: four escape characters a byte, so the runner's 48-character preview holds 12 bytes,
  // and a cut escape at its end is left out, not guessed.
  const ru = trace();
  ru.accept(4, A);
  ru.recv(4, A, 'Привет, сервер\n');
  const shown = `${straceData(Buffer.from('Привет, сервер\n')).slice(0, 46)}...`;
  ru.records.at(-1)!.fields.data = shown;
  ru.send(4, A, 'Привет, сервер\n');
  ru.records.at(-1)!.fields.data = shown;
  const r = echoContent(ru.records);
  assert.deepEqual([r.compared, r.diffs.length], [11, 0]);
});

test('a partial write is known only up to the bytes it moved, and a failed call moved nothing', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'abcdef');
  // send() offered "abcXYZ" and the kernel took 3: the socket got "abc" only.
  s.send(4, A, 'abcXYZ', 3);
  s.failed(4, A, 'EAGAIN');
  s.send(4, A, 'def');
  const c = echoContent(s.records);
  assert.deepEqual([c.compared, c.diffs.length], [6, 0]);
  // The same with the rest written wrong: found at offset 3, not hidden by the failed call.
  const t = trace();
  t.accept(4, A);
  t.recv(4, A, 'abcdef');
  t.send(4, A, 'abcXYZ', 3);
  t.failed(4, A, 'EAGAIN');
  t.send(4, A, 'DEF');
  assert.deepEqual(
    echoContent(t.records).diffs.map((d) => d.offset),
    [3],
  );
});

test('an echo cut at stop is not a content failure: only offsets both streams reached are compared', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'hello\n');
  s.send(4, A, 'hello\n');
  // The second line was read; the server was stopped before it wrote it back.
  s.recv(4, A, 'world\n');
  s.exited();
  const c = echoContent(s.records);
  assert.deepEqual([c.compared, c.diffs.length], [6, 0]);
  assert.equal(content(s.records)[0]?.code, 'own-content-ok');
  // Nothing written at all: nothing compared, nothing said.
  const quiet = trace();
  quiet.accept(4, A);
  quiet.recv(4, A, 'hello\n');
  quiet.exited();
  assert.deepEqual(content(quiet.records), []);
});

test('calls counted in a summary line leave the offsets unknown: the content part is n/a', () => {
  const s = trace();
  s.accept(4, A);
  s.recv(4, A, 'hello\n');
  s.send(4, A, 'HELLO\n');
  s.records.push({
    ...s.records.at(-1)!,
    line: 99,
    event: 'own.call.summary',
    fields: { role: 'echo-server' },
  });
  s.exited();
  const f = serverCheck(s.records).findings;
  assert.equal(
    f.some((x) => x.code === 'own-content-diff'),
    false,
  );
  assert.ok(f.some((x) => x.code === 'own-part-na' && x.params.part === 'content'));
});

test('a real strace of the Python echo server, read as the runner logs it: equal; its sendto() upper-cased: caught', () => {
  const lines = readFileSync(
    new URL('fixtures/own/traces/echo-server.strace', import.meta.url),
    'utf8',
  ).split('\n');
  const records = (text: readonly string[]): LogRecord[] => {
    const reader = createTraceReader();
    const events = [...text.flatMap((l) => reader.push(l)), ...reader.end()];
    return events
      .filter((e): e is SocketCall => e.kind === 'call')
      .map((c, i) => ({
        source: 'own-server',
        line: i + 1,
        time: c.t,
        event: 'own.call' as LogRecord['event'],
        fields: { ...callFields('echo-server', c) },
        scenario: 'local',
        component: 'own',
        pid: 1,
        hostname: 'vm',
        msg: undefined,
      }));
  };
  // hello\n, then 2501 bytes as 1024 + 1024 + 453, each written back at once: 6 + 3 × 32 bytes known on both sides.
  const good = echoContent(records(lines));
  assert.deepEqual([good.conns, good.compared, good.diffs.length], [1, 102, 0]);
  const upper = lines.map((l) => (l.includes('sendto(') ? l.replace('"hello\\n"', '"HELLO\\n"') : l));
  const bad = echoContent(records(upper));
  assert.deepEqual(
    bad.diffs.map((d) => [d.offset, d.read, d.written, d.peer, d.fd]),
    [[0, 'hello\\n', 'HELLO\\n', '127.0.0.1:48180', 4]],
  );
});

test('any split of reads and writes: an exact echo never differs; one changed byte is found exactly where both sides show it', () => {
  const chunks = (data: Buffer, cuts: number[]): Buffer[] => {
    const at = [...new Set(cuts.map((c) => c % data.length))].filter((c) => c > 0).sort((a, b) => a - b);
    return [0, ...at].map((from, i) => data.subarray(from, at[i] ?? data.length));
  };
  fc.assert(
    fc.property(
      // Lines longer than 32 bytes, and a few portions: parts of each call are not in the trace.
      fc.uint8Array({ minLength: 1, maxLength: 300, size: 'max' }),
      fc.array(fc.nat(), { maxLength: 8, size: 'max' }),
      fc.array(fc.nat(), { maxLength: 8, size: 'max' }),
      fc.nat(),
      (bytes, readCuts, writeCuts, where) => {
        const data = Buffer.from(bytes);
        const run = (written: Buffer) => {
          const s = trace();
          s.accept(4, A);
          for (const c of chunks(data, readCuts)) s.recv(4, A, c);
          for (const c of chunks(written, writeCuts)) s.send(4, A, c);
          return echoContent(s.records);
        };
        assert.deepEqual(run(data).diffs, []);
        const p = where % data.length;
        const changed = Buffer.from(data);
        changed[p] = (changed[p]! + 1) % 256;
        // Known: the first 32 bytes of the read and of the write that hold byte p.
        const startOf = (cuts: number[]) =>
          chunks(data, cuts).reduce(
            (acc, c) => (acc.end <= p ? { start: acc.end, end: acc.end + c.length } : acc),
            { start: 0, end: 0 },
          ).start;
        const seen = p - startOf(readCuts) < 32 && p - startOf(writeCuts) < 32;
        assert.deepEqual(
          run(changed).diffs.map((d) => d.offset),
          seen ? [p] : [],
        );
      },
    ),
    { numRuns: 300 },
  );
});
