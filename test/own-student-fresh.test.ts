/**
 * A student's own four programs written from scratch (test/fixtures/own/student-fresh, README
 * there): the checks catch the deliberate mistake (one recv(1024) for a 1249-byte echo) on the
 * client, and nothing else that the programs did right.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Analysis, render } from '../src/report/index.ts';
import { analyseDir } from './report-fixtures.ts';

const DIR = 'test/fixtures/own/student-fresh/logs';
let run: Promise<Analysis> | undefined;
const fresh = () => (run ??= analyseDir(DIR));
const check = (a: Analysis, id: string) => a.checks.find((c) => c.id === id)!;
const codes = (a: Analysis, id: string, ok: boolean) =>
  check(a, id)
    .findings.filter((f) => f.ok === ok && !f.na)
    .map((f) => f.code);

test('a client that sends its lines without the newline wrote them whole in every scenario', async () => {
  const a = await fresh();
  const sent = check(a, 'own-echo-client').findings.filter((f) => f.code === 'own-client-sent');
  assert.deepEqual(sent.map((f) => [f.params.scenario, f.params.newlines]).sort(), [
    ['local', 'without'],
    ['remote', 'without'],
    ['vm', 'without'],
  ]);
  assert.equal(codes(a, 'own-echo-client', false).includes('own-client-sent-diff'), false);
});

test('the client that read 1050 of 1249 bytes fails its own check; the server that echoed all 1249 passes', async () => {
  const a = await fresh();
  const short = check(a, 'own-echo-client').findings.find((f) => f.code === 'own-pair-diff')!;
  assert.deepEqual(
    [short.params.clientSent, short.params.serverRead, short.params.serverSent, short.params.clientRead],
    [1249, 1249, 1249, 1050],
  );
  assert.deepEqual(short.where && [short.where.path, short.where.line], ['client.py', 32]);
  assert.ok(codes(a, 'own-echo-client', false).includes('own-client-echo-missing'));
  assert.equal(
    check(a, 'own-echo-server').status,
    'pass',
    JSON.stringify(codes(a, 'own-echo-server', false)),
  );
  assert.equal(check(a, 'echo').status, 'fail', 'end to end, not every byte came back');
});

test("the lab's probe is not a member of the student's chat: two members, and copies only to them", async () => {
  const ru = render(await fresh(), 'ru');
  assert.match(ru, /получал дейтаграммы \(recvfrom\) от 2 источников/);
  assert.match(ru, /ваш сервер получал дейтаграммы от 2 участников \(`vm`, `remote`\) и отправил 1 копию/);
  assert.doesNotMatch(ru, /127\.0\.0\.1:34896`, `198/);
});
