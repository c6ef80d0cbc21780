import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { LabError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { fillTemplate, runOwnProgram } from '../src/own/runner.ts';
import { parseHost } from '../src/cli/common.ts';
import { startPlainChat } from '../src/udp/plain-client.ts';

// The runner's and the plain chat client's mistakes are catalogue entries: a coded error whose
// every language comes from the entry, so a Russian user reads Russian, not an English sentence.
function expectEntry(fn: () => unknown, text: string, code: string, ru: RegExp, en?: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof LabError, `${text}: a LabError (${String(caught)})`);
  assert.equal(caught.text, text);
  assert.equal(caught.code, code);
  assert.match(caught.localized('ru'), ru);
  if (en) assert.match(caught.localized('en'), en);
}

const quiet = () =>
  createLogger({ format: 'json', level: 'info', lang: 'en', destination: { write: () => {} } }).log;

test('socket-lab own: each wrong setting before the start is a catalogue error, in Russian too', () => {
  expectEntry(() => fillTemplate('   ', {}), 'own-command-empty', 'LAB_ERR_BAD_OPTION', /^команда пуста/);
  expectEntry(
    () => fillTemplate('python3 c.py {port}', {}),
    'own-placeholder-missing',
    'LAB_ERR_BAD_OPTION',
    /в команде есть `\{port\}`, но значение для него не задано \(--port\)/,
    /uses \{port\} but no port was given \(--port\)/,
  );
  expectEntry(
    () => fillTemplate('x {host}', { host: '$(id)' }),
    'own-placeholder-bad',
    'LAB_ERR_BAD_OPTION',
    /--host "\$\(id\)": недопустимое значение/,
  );
  // A leading '-' would be an option of the student's program (`nc {host}` with --host=-lvp).
  expectEntry(
    () => fillTemplate('nc {host} 7', { host: '-lvp' }),
    'own-placeholder-option',
    'LAB_ERR_BAD_OPTION',
    /--host "-lvp" начинается с «-»/,
    /would take it for one of its options/,
  );
  expectEntry(
    () => fillTemplate('python3 c.py --nick {nick}', { nick: '-c' }),
    'own-placeholder-option',
    'LAB_ERR_BAD_OPTION',
    /--nick "-c" начинается с «-»/,
  );
  assert.throws(() => parseHost('-lvp'), /starts with '-'/);
  assert.equal(parseHost('server-1'), 'server-1');
  const base = {
    role: 'echo-server' as const,
    command: 'true',
    log: quiet(),
    relay: null,
    trace: 'auto' as const,
  };
  expectEntry(
    () => runOwnProgram({ ...base, dir: '/no/such/folder-ownfix' }),
    'own-dir-missing',
    'LAB_ERR_BAD_OPTION',
    /папки с программой \/no\/such\/folder-ownfix не существует/,
  );
  // No strace on an empty PATH, and --trace on asks for it.
  expectEntry(
    () => runOwnProgram({ ...base, dir: '/', trace: true, env: { PATH: '/nonexistent-ownfix' } }),
    'own-strace-missing',
    'LAB_ERR_BAD_OPTION',
    /strace здесь не установлен/,
  );
});

test('plain chat client: a bad nickname and nobody listening are catalogue errors, in Russian too', async () => {
  await assert.rejects(
    startPlainChat({ nick: 'a b', log: quiet() }),
    (e: unknown) =>
      e instanceof LabError && e.text === 'nick-invalid' && /ник «a b» не подходит/.test(e.localized('ru')),
  );
  // A UDP port just freed: nothing listens, the host answers "port unreachable".
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(
    startPlainChat({ nick: 'ann', port, probeMs: 300, log: quiet() }),
    (e: unknown) =>
      e instanceof LabError &&
      e.text === 'chat-port-unreachable' &&
      /к этому порту не привязан ни один UDP-сокет/.test(e.localized('ru')),
  );
});
