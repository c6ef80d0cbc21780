/**
 * The wire section's "connections without a closing line" (issue 20): on the committed real run
 * (docs/examples/logs: three echo scenarios, one server log, the server side's capture), every
 * captured connection to the server has its closing line in the server's log, each in its own
 * scenario's counts. A scenario's section may name the others' connections only as theirs, and a
 * connection is "unlogged" only when no log of the run closes it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyse, findCaptures, render } from '../src/report/index.ts';

const DIR = 'docs/examples/logs';

function sources(drop?: RegExp) {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({
      name: f.replace(/\.jsonl$/, ''),
      lines: readFileSync(`${DIR}/${f}`, 'utf8')
        .split('\n')
        .filter((l) => !drop?.test(l)),
    }));
}

/** Each scenario's cross-check, as client endpoints: compared, elsewhere (with owner), unlogged. */
function byScenario(a: Awaited<ReturnType<typeof analyse>>) {
  const out = new Map<string, { compared: string[]; elsewhere: string[]; unlogged: string[] }>();
  for (const [name, s] of a.wire?.scenarios ?? []) {
    if (!s.crossCheck) continue;
    out.set(name, {
      compared: [...new Set(s.crossCheck.comparisons.map((c) => c.remote))],
      elsewhere: s.crossCheck.elsewhere.map((e) => `${e.connection.client} ${e.owner ?? '?'}`),
      unlogged: s.crossCheck.unlogged.map((c) => c.client),
    });
  }
  return out;
}

test('wire section: another scenario’s connection is named as that scenario’s, not as unlogged', async () => {
  const captures = await findCaptures([DIR]);
  assert.ok(
    captures?.files.some((f) => f.side === 'server'),
    'the run has its server-side capture',
  );
  const a = await analyse(sources(), captures ? { captures } : {});
  const checks = byScenario(a);
  assert.deepEqual(
    [...checks.keys()].sort(),
    ['local', 'remote', 'vm'],
    'each echo scenario compares its own connection',
  );
  assert.deepEqual(checks.get('local'), {
    compared: ['127.0.0.1:47146'],
    elsewhere: ['198.18.7.2:60998 remote', '198.18.7.4:54546 vm'],
    unlogged: [],
  });
  assert.deepEqual(checks.get('vm'), {
    compared: ['198.18.7.4:54546'],
    elsewhere: ['198.18.7.2:60998 remote', '127.0.0.1:47146 local'],
    unlogged: [],
  });
  assert.deepEqual(checks.get('remote')?.unlogged, []);

  const en = render(a, 'en');
  const ru = render(a, 'ru');
  // Times on the wire as each language writes numbers (the local client's FIN, 32.97 s in).
  assert.match(ru, /`FIN` от клиента \\\[#88\\\], \+32\u202f972,513 мс/);
  assert.match(en, /`FIN` from the client \\\[#88\\\], \+32972\.513 ms/);
  // The chat's port is among AFS's: a student opening the capture is told how to see the chat.
  assert.match(ru, /Wireshark и tcpdump разбирают UDP на портах 7000–7009 как RX[^\n]*на порт 7008/);
  assert.match(
    en,
    /decode UDP on ports 7000–7009 as RX[^\n]*`tcpdump -n -q -r <file>` shows them as plain UDP/,
  );
  assert.doesNotMatch(en, /closing line is in none of the logs read/);
  assert.doesNotMatch(ru, /нет ни в одном из прочитанных журналов/);
  assert.match(
    en,
    /other scenarios': the server's log has their closing lines[^\n]*: `198\.18\.7\.2:60998` \(scenario `remote`\), `198\.18\.7\.4:54546` \(scenario `vm`\)\./,
  );
  assert.match(
    ru,
    /относятся к другим сценариям: строки об их закрытии в журнале сервера есть[^\n]*: `198\.18\.7\.2:60998` \(сценарий `remote`\), `198\.18\.7\.4:54546` \(сценарий `vm`\)\./,
  );
});

test('wire section: a connection whose closing line no log has is named as unlogged', async () => {
  const captures = await findCaptures([DIR]);
  // The same run without the server's closing line of the vm client's connection.
  const a = await analyse(
    sources(/"event":"tcp\.connection\.closed".*"remote":"198\.18\.7\.4:54546"/),
    captures ? { captures } : {},
  );
  const checks = byScenario(a);
  assert.equal(checks.has('vm'), false, 'nothing of vm to compare without its closing line');
  assert.deepEqual(checks.get('local')?.unlogged, ['198.18.7.4:54546']);
  assert.deepEqual(checks.get('local')?.elsewhere, ['198.18.7.2:60998 remote']);
  const ru = render(a, 'ru');
  assert.match(
    ru,
    /Соединения с сервером из захвата, строки о закрытии которых нет ни в одном из прочитанных журналов: `198\.18\.7\.4:54546`\./,
  );
});
