import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { natGaps } from '../src/report/chat-nat.ts';
import { analyse, render } from '../src/report/index.ts';

// A plain chat through a real NAT router (test/fixtures/report/README.md, `nat-chat/`): the remote
// client was silent for 40 s, the router logged its conntrack timeouts (30 s, 120 s), the local
// member spoke 34 s into the silence.
const lines = (name: string) =>
  readFileSync(new URL(`fixtures/report/nat-chat/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean);
const NAMES = ['nat-server', 'nat-router', 'nat-chat-remote', 'nat-chat-local'];
const run = (edit: (name: string, l: string[]) => string[] = (_, l) => l, names = NAMES) =>
  analyse(names.map((name) => ({ name, lines: edit(name, lines(name)) })));

test("the remote plain client's silence outlasted the router's UDP mapping: the line relayed meanwhile is named as lost", async () => {
  const a = await run();
  const nat = natGaps(a.model);
  assert.deepEqual(nat.timeouts, { udpTimeoutS: 30, udpStreamTimeoutS: 120 });
  assert.equal(nat.logged, true);
  assert.equal(nat.gaps.length, 1);
  const g = nat.gaps[0]!;
  assert.equal(g.session.nick, 'rem');
  // Its last datagram was an answer 1.7 s into the flow: not yet a "stream", so 30 s, not 120 s.
  assert.equal(g.last.event, 'chat.message.received');
  assert.equal(g.timeoutS, 30);
  assert.equal(g.expired, g.last.time + 30_000);
  // The local member's "are you there?" (14 bytes) went to the forgotten mapping; rem never got it.
  assert.deepEqual(
    g.relayed.map((r) => [r.fields.member, r.fields.bytes]),
    [['loc', 14]],
  );
  assert.ok(!g.session.records.some((r) => r.event === 'chat.message.received' && r.fields.bytes === 14));
  assert.equal(g.next?.event, 'chat.message.sent');
  // Its new mapping came from another port: the server's second member `rem`, at another address.
  const rems = a.model.members.filter((m) => m.nick === 'rem');
  assert.equal(rems.length, 2);
  assert.notEqual(rems[1]!.remote, rems[0]!.remote);
  assert.equal(g.rejoined, rems[1]!.joined);
  const en = render(a, 'en');
  assert.match(en, /rem \(nat-chat-remote\) sent and received nothing after [\d:.]+; 30 s later/);
  assert.match(en, /relayed 1 message from other members to it, and it did not arrive/);
  const ru = render(a, 'ru');
  assert.match(
    ru,
    /через 30 с, в [\d:.]+, таблица отслеживания соединений маршрутизатора \(conntrack\) забыла/,
  );
  assert.match(ru, /переслал ему от других участников 1 сообщение, и оно не дошло/);
  // In the remote scenario's part, after its chat table: not in the local one.
  const remote = en.indexOf('### Scenario `remote`');
  assert.ok(remote > 0 && en.indexOf('sent and received nothing after') > remote);
});

test('without the router log the timeouts are called the kernel defaults, not its values', async () => {
  const a = await run(undefined, ['nat-server', 'nat-chat-remote', 'nat-chat-local']);
  const nat = natGaps(a.model);
  assert.equal(nat.logged, false);
  assert.equal(nat.gaps.length, 1);
  assert.match(render(a, 'en'), /Linux’s defaults: this run’s router did not log its values/);
});

test('a silence that cost nothing is not noted: the same run without the line relayed during it', async () => {
  const a = await run((name, l) =>
    name === 'nat-server' ? l.filter((x) => !/"udp.message.relayed".*"bytes":14,/.test(x)) : l,
  );
  assert.equal(natGaps(a.model).gaps.length, 0);
  assert.doesNotMatch(render(a, 'en'), /forgot its UDP mapping/);
});
