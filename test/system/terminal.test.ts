import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, runCli, startServerProcess, waitFor, waitForLine, defer } from '../helpers.ts';
import { needs } from './needs.ts';

// The interactive clients, driven the way a person uses them: in a real pseudo-terminal (tmux),
// keys typed with send-keys, the screen read back with capture-pane.
// A tmux server of its own for each test: a new session on the server the test before has just
// killed can meet it still exiting ("server exited unexpectedly").
let socketName = `socket-lab-test-${process.pid}`;
let sessions = 0;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socketName, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'lab');

function startInTmux(t: { after: (fn: () => void) => void }, command: string): void {
  socketName = `socket-lab-test-${process.pid}-${++sessions}`;
  tmux('new-session', '-d', '-s', 'lab', '-x', '160', '-y', '40', `${command}; echo "EXIT=$?"; sleep 30`);
  defer(t, () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });
}

test('chat in a terminal: incoming messages never break the line being typed', async (t) => {
  if (!needs(t, { tools: ['tmux'] }, 'a real pseudo-terminal')) return;
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  startInTmux(t, `${process.execPath} ${CLI} chat --port ${server.udpPort} --nick alice --log-level warn`);
  await waitFor('alice joined', () => screen().includes('Joined the chat'), 10_000);
  assert.match(screen(), /detach with Ctrl-P Ctrl-Q/);
  tmux('send-keys', '-t', 'lab', '-l', 'half-typ');
  await waitFor('typed', () => screen().includes('> half-typ'));
  const bob = runCli(
    [
      'chat',
      '--port',
      String(server.udpPort),
      '--nick',
      'bob',
      '--say',
      'hi alice',
      '--say',
      'evil \u001b[2J\u001b]0;title\u0007 end',
    ],
    '',
  );
  assert.equal(await bob.exited, 0, bob.stderr());
  await waitFor('message shown', () => screen().includes('<bob> hi alice'), 5000);
  await waitFor('escape shown, not executed', () =>
    screen().includes('<bob> evil \\e[2J\\e]0;title\\x07 end'),
  );
  const lines = screen().trimEnd().split('\n');
  assert.equal(lines.at(-1), '> half-typ', `the prompt and typed text are redrawn last:\n${screen()}`);
  tmux('send-keys', '-t', 'lab', '-l', 'ed');
  tmux('send-keys', '-t', 'lab', 'Enter');
  await waitFor('relayed', () =>
    server.json().find((l) => l.event === 'udp.message.relayed' && l.member === 'alice' && l.bytes === 10),
  );
  tmux('send-keys', '-t', 'lab', '-l', 'exit');
  tmux('send-keys', '-t', 'lab', 'Enter');
  await waitFor('exited 0', () => screen().includes('EXIT=0'), 5000);
  // The client has exited, but the server logs the LEAVE in its own time: wait for that line.
  await waitForLine(
    server,
    'the server to log that alice left',
    (l) => l.event === 'udp.member.left' && l.member === 'alice' && l.reason === 'leave',
  );
});

test('echo in a terminal: a typed line comes back on the screen, exit ends it with code 0', async (t) => {
  if (!needs(t, { tools: ['tmux'] }, 'a real pseudo-terminal')) return;
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  startInTmux(t, `${process.execPath} ${CLI} echo --port ${server.tcpPort}`);
  await waitFor('connected', () => screen().includes('Connected to the echo server'), 10_000);
  tmux('send-keys', '-t', 'lab', '-l', 'typed by a person');
  tmux('send-keys', '-t', 'lab', 'Enter');
  await waitFor('echo shown', () => screen().includes('echo: typed by a person'), 5000);
  assert.match(screen(), /client\.data\.received/); // the event log is on screen too, above the prompt
  tmux('send-keys', '-t', 'lab', '-l', 'exit');
  tmux('send-keys', '-t', 'lab', 'Enter');
  await waitFor('exited 0', () => screen().includes('EXIT=0'), 5000);
  const closed = await waitFor('server closed it', () =>
    server.json().find((l) => l.event === 'tcp.connection.closed'),
  );
  assert.equal(closed.bytesIn, Buffer.byteLength('typed by a person\n'));
});

test('a terminal that attaches (resizes) gets the hint once; Ctrl-C leaves cleanly as a signal', async (t) => {
  if (!needs(t, { tools: ['tmux'] }, 'a real pseudo-terminal')) return;
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const logFile = join(mkdtempSync(join(tmpdir(), 'socket-lab-test-')), 'chat.jsonl');
  startInTmux(
    t,
    `${process.execPath} ${CLI} chat --port ${server.udpPort} --nick carol --log-level warn --log-file ${logFile}`,
  );
  await waitFor('joined', () => screen().includes('Joined the chat'), 10_000);
  const hints = () => screen().split('detach with Ctrl-P Ctrl-Q').length - 1;
  assert.equal(hints(), 1);
  // Both resizes in one tmux command, back to back as `docker attach` does them: two tmux processes
  // started one after the other can be further apart than the client's settle time on a busy machine.
  const resize = (x: string, y: string) => ['resize-window', '-t', 'lab', '-x', x, '-y', y];
  tmux(...resize('150', '35'), ';', ...resize('140', '30'));
  await waitFor('hint after the resize', () => hints() === 2 || undefined, 3000, screen);
  // A key typed after the resizes shows up only once the client has handled both of them (tmux
  // resized the pty, and so signalled the client, before it wrote the key). From then on a second
  // hint could only come from a settle timer still running, which fires 400 ms after the last resize:
  // watch the screen for more than that. (Checking that something does not happen needs a window.)
  tmux('send-keys', '-t', 'lab', '-l', 'never sent');
  await waitFor('the typed key after the resizes', () => screen().includes('> never sent'), 3000, screen);
  const watchUntil = Date.now() + 1000;
  await waitFor(
    'one second without a second hint for the same attach',
    () => {
      assert.equal(hints(), 2, `two resizes in a row print the hint once:\n${screen()}`);
      return Date.now() > watchUntil;
    },
    3000,
  );
  tmux('send-keys', '-t', 'lab', 'C-c');
  await waitFor('exited 0', () => screen().includes('EXIT=0'), 5000);
  const left = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.event === 'chat.left');
  assert.equal(left?.reason, 'signal');
  // The client sends any message before its LEAVE, and the server handles one sender's datagrams in
  // order: once it has logged carol leaving, a relayed half-typed line would be in its log already.
  await waitForLine(server, 'the server to log that carol left', (l) => l.event === 'udp.member.left');
  assert.ok(
    !server.json().some((l) => l.event === 'udp.message.relayed'),
    'the half-typed line was not sent',
  );
});

test("a student's own client: attaching (a resize) shows the lab's hint once, in the student's language", async (t) => {
  if (!needs(t, { tools: ['tmux'] }, 'a real pseudo-terminal')) return;
  const dir = mkdtempSync(join(tmpdir(), 'socket-lab-test-'));
  // `cat` stands for their client: it echoes what is typed, so the typed line shows it still runs.
  startInTmux(
    t,
    `LAB_LANG=ru ${process.execPath} ${CLI} own --role echo-client --dir ${dir} --trace off --command cat --log-file ${join(dir, 'own.jsonl')}`,
  );
  const hints = () => screen().split('Ctrl-P Ctrl-Q').length - 1;
  tmux('send-keys', '-t', 'lab', '-l', 'typed before');
  tmux('send-keys', '-t', 'lab', 'Enter');
  await waitFor(
    'the program runs',
    () => screen().split('typed before').length > 2 || undefined,
    10_000,
    screen,
  );
  assert.equal(hints(), 0, 'no hint before anyone attaches');
  tmux(
    'resize-window',
    '-t',
    'lab',
    '-x',
    '150',
    '-y',
    '35',
    ';',
    'resize-window',
    '-t',
    'lab',
    '-x',
    '140',
    '-y',
    '30',
  );
  await waitFor('the hint after the resize', () => hints() === 1 || undefined, 3000, screen);
  assert.match(screen().replace(/\n/g, ' '), /Ваш эхо-клиент, его запустила socket-lab\. Введите строку/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(hints(), 1, `two resizes in a row print the hint once:\n${screen()}`);
});
