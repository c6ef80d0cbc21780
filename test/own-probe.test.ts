import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROBE_MAX_BYTES, probeChatServer } from '../src/own/probe.ts';
import { analyse } from '../src/report/index.ts';
import { type OwnRecord, chatFactsFromRecords, checkOwnChatClient } from '../src/report/own-checks-chat.ts';
import { captureLog, defer } from './helpers.ts';

// The lab's probe of a student's chat server (issue 19, src/own/probe.ts), and what the report
// makes of a run with it. Recorded with the CLI on the lab machine (test/fixtures/own/logs/):
// `socket-lab own --role chat-server` running chat-mutants/dies-on-garbage under strace on port
// 47318, which the probe ended; `socket-lab own --role chat-client --scenario mistake --exit-after 5`
// running chat/chat_client.py against 127.0.0.1:47319, where nothing was bound.
const logs = (name: string) =>
  readFileSync(new URL(`fixtures/own/logs/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
const run = (...names: string[]) => analyse(names.map((name) => ({ name, lines: logs(name) })));

test('the probe sends a datagram that is not UTF-8, an empty one and one of 65,507 bytes, and logs its address', async (t) => {
  const server = dgram.createSocket('udp4');
  defer(t, () => server.close());
  const got: Array<{ data: Buffer; from: string }> = [];
  server.on('message', (data, rinfo) => got.push({ data, from: `${rinfo.address}:${rinfo.port}` }));
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  const { log, events } = captureLog();
  const from = await probeChatServer({ host: '127.0.0.1', port: server.address().port, log });
  for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    got.map((g) => g.data.length),
    [4, 0, PROBE_MAX_BYTES],
  );
  assert.equal(PROBE_MAX_BYTES, 65535 - 20 - 8);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(got[0]!.data));
  assert.ok(got.every((g) => g.from === from));
  const sent = events('own.probe.sent');
  assert.deepEqual(
    sent.map((e) => [e.kind, e.bytes, e.from, e.to]),
    [
      ['not-utf8', 4, from, `127.0.0.1:${server.address().port}`],
      ['empty', 0, from, `127.0.0.1:${server.address().port}`],
      ['max', PROBE_MAX_BYTES, from, `127.0.0.1:${server.address().port}`],
    ],
  );
});

test('recorded: a chat server that dies on the probe fails the odd-datagrams part, and only it', async () => {
  const a = await run('probe-dies-on-garbage-chat-server');
  const c = a.checks.find((x) => (x.id as string) === 'own-chat-server');
  assert.equal(c?.status, 'fail');
  const failing = c!.findings.filter((f) => !f.ok);
  assert.deepEqual(
    failing.map((f) => f.code),
    ['garbage-died'],
  );
  assert.equal(failing[0]!.params.code, 1);
  // Its evidence: the probe's datagram as recvfrom returned it, then the end.
  assert.deepEqual(
    failing[0]!.evidence.map((r) => r.event),
    ['own.call', 'own.program.exited'],
  );
});

test('recorded: the probe is not a member, and the probe address comes from the records', () => {
  const records: OwnRecord[] = logs('probe-dies-on-garbage-chat-server').map((l, i) => {
    const { event, time, scenario, ...fields } = JSON.parse(l) as Record<string, unknown>;
    return {
      source: 'probe',
      line: i + 1,
      time: Date.parse(String(time)),
      event: String(event),
      ...(scenario ? { scenario: String(scenario) } : {}),
      fields,
    };
  });
  const probe = records.find((r) => r.event === 'own.probe.sent')!.fields.from as string;
  // A client of ours that happened to leave from the probe's port on another machine.
  const port = probe.split(':')[1];
  const joined: OwnRecord = {
    source: 'chat-vm',
    line: 1,
    time: records[0]!.time,
    event: 'chat.joined',
    fields: { local: `198.18.7.3:${port}` },
  };
  const facts = chatFactsFromRecords([...records, joined]);
  assert.equal(facts.server?.probe, probe);
  assert.deepEqual(facts.server?.members, []);
});

test("recorded: the mistake profile's chat client is the unreachable check, not a member", async () => {
  const a = await run('unreachable-chat-client');
  const c = a.checks.find((x) => (x.id as string) === 'own-chat-client');
  assert.equal(c?.status, 'pass');
  const decided = c!.findings.filter((f) => !f.na);
  assert.deepEqual(
    decided.map((f) => [f.code, f.params.code]),
    [['unreachable-ok', 1]],
  );
  // Typing and exit are not judged on this run: it was no member of a chat.
  assert.deepEqual(
    c!.findings.map((f) => f.code),
    ['unreachable-ok'],
  );
});

test("unreachable: a quiet wait ended by the lab's exit passes; a traceback or a silent end fails", () => {
  const rec = (line: number, time: number, event: string, fields: Record<string, unknown>): OwnRecord => ({
    source: 'chat-mistake',
    line,
    time,
    event,
    scenario: 'mistake',
    fields: { role: 'chat-client', ...fields },
  });
  const judge = (records: OwnRecord[]) =>
    checkOwnChatClient({ records: [], incoming: [], unreachable: records }).map((r) =>
      r.findings.map((f) => [r.status, f.code]),
    );
  const exit = rec(2, 5000, 'own.input', { text: 'exit', scripted: true });
  assert.deepEqual(judge([exit, rec(3, 5010, 'own.program.exited', { code: 0 })]), [
    [['pass', 'unreachable-waited']],
  ]);
  // Ended by itself without a word: the user cannot tell.
  assert.deepEqual(judge([rec(3, 100, 'own.program.exited', { code: 1 })]), [
    [['fail', 'unreachable-silent']],
  ]);
  const traceback = rec(2, 50, 'own.output', {
    stream: 'stderr',
    text: 'Traceback (most recent call last):',
  });
  assert.deepEqual(judge([traceback, exit, rec(3, 5010, 'own.program.exited', { code: 0 })]), [
    [['fail', 'unreachable-traceback']],
  ]);
});
