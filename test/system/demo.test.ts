import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CLI, defer } from '../helpers.ts';
import { type Need, needs } from './needs.ts';

// `socket-lab demo` dials this machine's own non-loopback address. To keep test traffic off any real
// network, the test runs it in a network namespace of its own with a made-up address on a veth pair
// that exists only inside that namespace.
const ns = `socket-lab-demo-${process.pid}`;
const address = '10.251.0.1';

const NAMESPACE: Need = { root: true, tools: ['ip'] };
const WHY = 'a network namespace of its own (ip netns add)';

test('demo: every scenario one machine can show passes, in an isolated network namespace', (t) => {
  if (!needs(t, NAMESPACE, WHY)) return;
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('netns', 'add', ns);
  defer(t, () => ip('netns', 'del', ns));
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  ip('-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'v0');
  ip('-n', ns, 'link', 'set', 'v0', 'up');
  ip('-n', ns, 'link', 'set', 'v1', 'up');
  const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, CLI, 'demo', '--quiet'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(
    run.stdout,
    /PASS {2}local +client 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+; the server saw 127\.0\.0\.1:\d+/,
  );
  assert.match(
    run.stdout,
    new RegExp(
      `PASS  lan +client ${address}:\\d+ -> ${address}:\\d+; the server \\(bound to 0\\.0\\.0\\.0\\) saw ${address}:\\d+`,
    ),
  );
  // Nothing listened there: the kernel's RST answered, not the server (issue 20).
  assert.match(
    run.stdout,
    new RegExp(
      `PASS {2}mistake +a server bound to 127\\.0\\.0\\.1:\\d+ does not listen on ${address}:\\d+: the kernel itself answered the SYN there with RST \\(connection refused\\), no server socket was involved`,
    ),
  );
  assert.doesNotMatch(run.stdout, /refused the connection|lab's networks/);
  assert.match(run.stdout, /PASS {2}chat +alice received \[bob: hi alice\], bob received \[alice: hi bob\]/);
  assert.match(run.stdout, /All 4 scenarios passed\./);
  // The course is taught in Russian: the results a student reads are Russian with --lang ru.
  const ru = spawnSync(
    'ip',
    ['netns', 'exec', ns, process.execPath, CLI, 'demo', '--quiet', '--lang', 'ru'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(ru.status, 0, `${ru.stdout}\n${ru.stderr}`);
  assert.match(ru.stdout, /^Итоги:$/m);
  assert.match(ru.stdout, /ЗАЧТЕНО {2}local +клиент 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+; сервер увидел/);
  assert.match(
    ru.stdout,
    /ЗАЧТЕНО {2}mistake +сервер, привязанный к 127\.0\.0\.1:\d+, не слушает на .*ответило само ядро сегментом RST/,
  );
  assert.match(ru.stdout, /Все сценарии пройдены: 4 из 4\./);
  assert.doesNotMatch(ru.stdout, /PASS|FAIL|received|scenarios/);
});

test('demo: without a non-loopback address lan and mistake are not applicable, with the reason, and the demo passes', (t) => {
  if (!needs(t, NAMESPACE, WHY)) return;
  const bare = `${ns}-bare`;
  execFileSync('ip', ['netns', 'add', bare]);
  defer(t, () => execFileSync('ip', ['netns', 'del', bare]));
  execFileSync('ip', ['-n', bare, 'link', 'set', 'lo', 'up']);
  const run = spawnSync('ip', ['netns', 'exec', bare, process.execPath, CLI, 'demo', '--quiet'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stdout);
  for (const s of ['lan', 'mistake']) {
    assert.match(
      run.stdout,
      new RegExp(`NOT APPLICABLE {2}${s} +this machine has no IPv4 address besides loopback`),
    );
  }
  assert.doesNotMatch(run.stdout, /FAIL/);
  assert.match(run.stdout, /All 2 scenarios this machine can show passed; 2 not applicable here/);
  const ru = spawnSync(
    'ip',
    ['netns', 'exec', bare, process.execPath, CLI, 'demo', '--quiet', '--lang', 'ru'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(ru.status, 0, ru.stdout);
  assert.match(ru.stdout, /НЕПРИМЕНИМО {2}lan +у этой машины нет IPv4-адреса, кроме петлевого/);
  assert.match(ru.stdout, /неприменимо здесь: 2/);
});
