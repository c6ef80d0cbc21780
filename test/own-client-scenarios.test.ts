import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyse, type Analysis } from '../src/report/index.ts';

// Recorded on the lab machine (see test/fixtures/own/README.md): our server on 0.0.0.0, and the
// student's Python client (fixtures/own/echo/client.py) run three times by `socket-lab own`:
// to 127.0.0.1 (local), to the machine's own address (vm), and to that address through an
// iptables SNAT rule that made the server see 172.17.0.1 (remote, the NAT of the Docker lab).
const logs = (name: string) =>
  readFileSync(new URL(`fixtures/own/logs/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
const SCENARIOS = ['local', 'vm', 'remote'] as const;
const check = (a: Analysis, id: string) => a.checks.find((c) => c.id === id);
const codes = (a: Analysis, id: string) => check(a, id)?.findings.map((f) => f.code);
const require = { require: [...SCENARIOS] };

test('own clients in local, vm and remote count in the address checks, paired with our server', async () => {
  const a = await analyse(
    [
      { name: 'server', lines: logs('clients-server') },
      ...SCENARIOS.map((s) => ({ name: `client-${s}`, lines: logs(`client-${s}`) })),
    ],
    require,
  );
  assert.deepEqual(codes(a, 'local'), ['local-ok']);
  assert.deepEqual(codes(a, 'vm'), ['vm-ok']);
  assert.deepEqual(codes(a, 'remote'), ['remote-ok']);
  // Evidence: the client's traced connect() and the server's accept of that very connection
  // (exact ports without NAT; through NAT the nearest in time among the unclaimed).
  const seen = (id: string) =>
    check(a, id)?.findings[0]?.evidence.map((r) => `${r.event} ${String(r.fields.remote ?? r.fields.call)}`);
  assert.deepEqual(seen('local'), ['own.call connect', 'tcp.connection.accepted 127.0.0.1:44972']);
  assert.deepEqual(seen('vm'), ['own.call connect', 'tcp.connection.accepted 192.0.2.2:43056']);
  assert.deepEqual(seen('remote'), ['own.call connect', 'tcp.connection.accepted 172.17.0.1:43068']);
  assert.equal(check(a, 'remote')?.findings[0]?.params.own, '192.0.2.2:43068');
  // strace's fractional times are not "edited" values: every check of the run passes.
  assert.deepEqual(
    a.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    [],
  );
  assert.equal(check(a, 'own-echo-client')?.status, 'pass');
});

test('own clients without the server log: each scenario fails for want of the server view', async () => {
  const a = await analyse(
    SCENARIOS.map((s) => ({ name: `client-${s}`, lines: logs(`client-${s}`) })),
    require,
  );
  for (const s of SCENARIOS) assert.deepEqual(codes(a, s), ['no-server-view'], s);
});

test('an own client in the wrong place fails the scenario it claims, with the reason', async () => {
  // The local run (loopback) and the remote run (NAT) both labelled vm: neither is what vm means.
  const relabel = (name: string) =>
    logs(name).map((l) =>
      l.replace('"scenario":"local"', '"scenario":"vm"').replace('"scenario":"remote"', '"scenario":"vm"'),
    );
  const a = await analyse([
    { name: 'server', lines: logs('clients-server') },
    { name: 'client-local', lines: relabel('client-local') },
    { name: 'client-remote', lines: relabel('client-remote') },
  ]);
  assert.deepEqual(codes(a, 'vm')?.sort(), ['vm-loopback', 'vm-translated']);
  assert.equal(check(a, 'vm')?.status, 'fail');
});

test('an own client that sends its lines without the newline (input() drops it) sent them whole; its echo is judged against what it wrote', async () => {
  // The recorded local run, as if the client wrote "hello" (5 bytes) and read back its 5.
  const bare = (byteCount: number) =>
    logs('client-local').map((l) =>
      /"call":"(sendto|recvfrom)","result":6/.test(l)
        ? l
            .replace(/"result":6/, `"result":${byteCount}`)
            .replace(/"bytes":6/, `"bytes":${byteCount}`)
            .replace(/"size":6,/, `"size":${byteCount},`)
            .replace(/hello\\n/g, 'hello'.slice(0, byteCount))
        : l,
    );
  const run = (byteCount: number) =>
    analyse([
      { name: 'server', lines: logs('clients-server') },
      { name: 'client-local', lines: bare(byteCount) },
    ]);
  const whole = check(await run(5), 'own-echo-client')!;
  const sent = whole.findings.find((f) => f.code === 'own-client-sent');
  assert.ok(sent, JSON.stringify(whole.findings.map((f) => f.code)));
  assert.equal(sent.params.newlines, 'without');
  assert.ok(whole.findings.some((f) => f.code === 'own-client-echo' && f.params.read === 5));
  // Fewer bytes than the line without its newline: not whole, and said with both counts.
  const cut = check(await run(4), 'own-echo-client')!;
  const diff = cut.findings.find((f) => f.code === 'own-client-sent-diff');
  assert.ok(diff, JSON.stringify(cut.findings.map((f) => f.code)));
  assert.deepEqual([diff.params.expected, diff.params.lines, diff.params.sent], [6, 1, 4]);
});
