/** The calls table keeps the real order: only consecutive calls of the same name on one socket fold. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines } from '../src/report/index.ts';
import { implementationData } from '../src/report/own-implementation.ts';

test('#2 folded calls keep their order: the relay’s recv, recv, recv, send, recv, send; the client’s send, recv, send, recv', async () => {
  const dir = 'test/fixtures/own/student-run/logs';
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const model = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })),
  );
  const programs = implementationData(model.model.timeline.records, 'en');
  const rows = (role: string, scenario: string) =>
    programs
      .find((p) => p.role === role && p.scenario === scenario)!
      .calls.filter((c) => ['recvfrom', 'sendto'].includes(c.call))
      .map((c) => c.text.replace(/, asked.*$/, ''));
  assert.deepEqual(rows('chat-server', 'server').slice(0, 6), [
    'recvfrom(3) x3: 24 + 31 + 28',
    'sendto(3): 28',
    'recvfrom(3): 36',
    'sendto(3): 36',
    'recvfrom(3): 69',
    'sendto(3): 69',
  ]);
  assert.deepEqual(rows('echo-client', 'vm'), [
    'sendto(3): 27',
    'recvfrom(3): 27',
    'sendto(3): 61',
    'recvfrom(3): 61',
  ]);
});
