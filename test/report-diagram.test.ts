/**
 * The sequence diagrams' participants: a remote client reaches the server through the lab's
 * router, so its diagram has three participants (client, router, server) and draws the first
 * packet's rewrite through the router (DNAT, then MASQUERADE: the client's own address replaced by
 * the one the server saw); a local or vm client talks to the server directly: two participants.
 * From the committed logs of a real run (with the router's log) and an older fixture (without it).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { ChatSession, EchoSession, LabModel } from '../src/report/aggregate.ts';
import { REMOTE_SCENARIO, ROUTER_ID, sessionDiagramParts } from '../src/report/diagram.ts';
import { analyse } from '../src/report/index.ts';
import { TEXTS } from '../src/report/texts.ts';

async function modelOf(dir: string): Promise<LabModel> {
  const inputs = readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => {
      const text = readFileSync(join(dir, n), 'utf8');
      return { name: n.replace(/\.jsonl$/, ''), lines: text.split('\n').filter((l) => l !== '') };
    });
  return (await analyse(inputs)).model;
}

const EXAMPLE = fileURLToPath(new URL('../docs/examples/logs/', import.meta.url));
const LAB = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));

type Session = EchoSession | ChatSession;
const sessionsOf = (m: LabModel): Session[] => m.scenarios.flatMap((v) => [...v.echo, ...v.chat]);
const seenOf = (s: Session) => ('connected' in s ? s.server?.remote : s.member?.remote);

for (const [name, dir, withRouterLog] of [
  ['a real run with the router’s log', EXAMPLE, true],
  ['an older run without it', LAB, false],
] as const) {
  test(`diagram: one session alone: remote has three participants (client, router, server), vm and local two (${name})`, async () => {
    const model = await modelOf(dir);
    const sessions = sessionsOf(model);
    const scenarios = new Set(sessions.map((s) => s.scenario));
    for (const want of ['local', 'vm', REMOTE_SCENARIO]) assert.ok(scenarios.has(want), want);
    for (const lang of ['en', 'ru'] as const) {
      const t = TEXTS[lang];
      for (const s of sessions) {
        const { participants, steps } = sessionDiagramParts(model, [s], t);
        const ids = participants.map((p) => p.id);
        if (s.scenario !== REMOTE_SCENARIO) {
          assert.equal(ids.length, 2, `${s.program.label}: ${ids.join(' ')}`);
          assert.ok(!ids.includes(ROUTER_ID));
          assert.ok(!steps.some((x) => (x.kind === 'arrow' ? [x.from, x.to] : x.over).includes(ROUTER_ID)));
          continue;
        }
        assert.equal(ids.length, 3, `${s.program.label}: ${ids.join(' ')}`);
        const [client, router, server] = ids;
        assert.equal(router, ROUTER_ID, 'the router stands between the client and the server');
        const routerBox = participants[1]?.lines.join(' ') ?? '';
        if (withRouterLog) {
          const ready = model.timeline.records.find((r) => r.event === 'router.ready');
          assert.ok(routerBox.includes(String(ready?.fields.wan)), routerBox);
          assert.ok(routerBox.includes(String(ready?.fields.vm)), routerBox);
        } else assert.ok(routerBox.includes(t.diagram.routerNoLog), routerBox);
        // The first packet through the router, once: to the router, DNAT, forwarded with the new source.
        const i = steps.findIndex((x) => x.kind === 'arrow' && x.to === ROUTER_ID);
        const [toRouter, dnat, forwarded] = steps.slice(i, i + 3);
        assert.ok(toRouter?.kind === 'arrow' && toRouter.from === client);
        assert.ok(dnat?.kind === 'note' && dnat.over.join() === ROUTER_ID);
        const dialed = 'connected' in s ? s.remote : s.server;
        assert.ok(dnat.text.startsWith('DNAT') && dnat.text.includes(String(dialed)), dnat.text);
        assert.ok(forwarded?.kind === 'arrow' && forwarded.from === ROUTER_ID && forwarded.to === server);
        assert.equal(forwarded.text, t.diagram.masquerade({ from: String(s.local), to: String(seenOf(s)) }));
        assert.notEqual(s.local, seenOf(s), 'the router’s MASQUERADE changed the source the server saw');
        assert.equal(steps.filter((x) => x.kind === 'arrow' && x.to === ROUTER_ID).length, 1);
      }
    }
  });

  test(`diagram: any mix of sessions: one router exactly when a remote client is in it, between them and the server (${name})`, async () => {
    const model = await modelOf(dir);
    const sessions = sessionsOf(model);
    fc.assert(
      fc.property(fc.subarray(sessions, { minLength: 1 }), fc.constantFrom('en', 'ru'), (some, lang) => {
        const { participants } = sessionDiagramParts(model, some, TEXTS[lang as 'en' | 'ru']);
        const ids = participants.map((p) => p.id);
        const remote = some.filter((s) => s.scenario === REMOTE_SCENARIO).length;
        const servers = ids.filter((id) => id.startsWith('S')).length;
        assert.equal(ids.length, some.length + servers + (remote > 0 ? 1 : 0), ids.join(' '));
        if (remote === 0) return assert.ok(!ids.includes(ROUTER_ID));
        // Remote clients left of the router, the server right after it, everyone else past the server.
        const r = ids.indexOf(ROUTER_ID);
        assert.equal(r, remote, ids.join(' '));
        assert.ok(ids[r + 1]?.startsWith('S'), ids.join(' '));
      }),
      { numRuns: 60 },
    );
  });
}
