// Assertions of the Docker e2e test (scripts/test-docker.sh) over the lab's JSON log files.
//
//   node scripts/e2e-check.mjs PHASE DIR [--quiet]
//
// PHASE: running | attach | mistake | stopped. DIR holds facts.json (addresses, greetings, exit
// codes: what the test learned from Docker), logs/<container>.jsonl (copied from the `logs`
// volume) and screens/<name>.txt (what a person sees: `docker logs`, the tmux pane).
// Exit 0 when every assertion of the phase holds; otherwise 1, after printing each failed one
// with the log lines that show it (with --quiet: nothing, for polling until they hold).
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const [phase, dir, flag] = process.argv.slice(2);
const quiet = flag === '--quiet';
if (!['running', 'attach', 'mistake', 'stopped'].includes(phase ?? '') || !dir) {
  process.stderr.write('usage: node scripts/e2e-check.mjs running|attach|mistake|stopped DIR [--quiet]\n');
  process.exit(2);
}

const facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8'));
const P = facts.prefix;

/** Parsed lines of /logs/<container>.jsonl (container without the prefix: "server", "echo-vm"). */
function lines(container) {
  const file = join(dir, 'logs', `${P}-${container}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { event: '(not JSON)', raw: l };
      }
    });
}

/** A screen as plain text: ANSI escapes and carriage returns removed. */
function screen(name) {
  const file = join(dir, 'screens', `${name}.txt`);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\r/g, '');
}

/** A screen as the terminal received it, escapes included. */
function rawScreen(name) {
  const file = join(dir, 'screens', `${name}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

const events = (container, name) => lines(container).filter((l) => l.event === name);
const host = (endpoint) => String(endpoint ?? '').replace(/:\d+$/, '');
const sum = (list, key) => list.reduce((n, l) => n + (Number(l[key]) || 0), 0);
const bytes = (text) => Buffer.byteLength(text, 'utf8');

const results = [];
/**
 * Records one assertion. `evidence` says where to look when it fails: [container, event names]
 * (those events from that container's log), or { screen } (the end of that screen).
 */
function check(title, ok, evidence = [], detail = '') {
  results.push({ title, ok: Boolean(ok), evidence, detail });
}

/** The server connection that carried `greeting` (its first portion starts with it). */
function connOf(greeting) {
  const first = events('server', 'tcp.data.received').find((e) =>
    String(e.preview ?? '').startsWith(greeting),
  );
  return first?.connId;
}

/** Bytes the server read and wrote on connection `id`, from portion lines and summaries. */
function serverBytes(id) {
  const of = (name) => events('server', name).filter((e) => e.connId === id);
  const summaries = of('tcp.data.summary');
  return {
    in: sum(of('tcp.data.received'), 'bytes') + sum(summaries, 'bytesIn'),
    out: sum(of('tcp.data.sent'), 'bytes') + sum(summaries, 'bytesOut'),
  };
}

const SCENARIOS = {
  server: 'server',
  'echo-local': 'local',
  'echo-vm': 'vm',
  'echo-remote': 'remote',
  'chat-vm': 'vm',
  'chat-remote': 'remote',
};
const ECHO = {
  'echo-local': { scenario: 'local', greeting: facts.greetings.local },
  'echo-vm': { scenario: 'vm', greeting: facts.greetings.vm },
  'echo-remote': { scenario: 'remote', greeting: facts.greetings.remote },
};

function running() {
  for (const [c, scenario] of Object.entries(SCENARIOS)) {
    const all = lines(c);
    check(`${P}-${c} wrote its JSON log`, all.length > 0, [c, []]);
    const bad = all.filter(
      (l) =>
        l.scenario !== scenario ||
        l.schema !== 1 ||
        typeof l.event !== 'string' ||
        typeof l.msg !== 'string' ||
        typeof l.time !== 'string' ||
        typeof l.hostname !== 'string',
    );
    check(
      `every line of ${P}-${c} has scenario "${scenario}", schema 1, event, msg, time, hostname`,
      bad.length === 0,
      [c, []],
      bad.length ? `first offending line: ${JSON.stringify(bad[0])}` : '',
    );
  }
  for (const c of Object.keys(SCENARIOS).filter((c) => c !== 'server')) {
    // Colours are fine; cursor moves and erasing (the prompt's redraws) would wipe the container
    // name that `docker compose up` prints before each line (LAB_PROMPT=on-attach prevents them).
    const moves = rawScreen(c).match(/\x1b\[[0-9;]*[ABCDGHJK]/g) ?? [];
    check(
      `${P}-${c} printed plain lines before anyone attached (no cursor moves in \`docker compose up\`)`,
      moves.length === 0,
      { screen: c },
      moves.length ? `${moves.length} cursor-moving escape(s), e.g. ${JSON.stringify(moves[0])}` : '',
    );
  }
  const listening = events('server', 'server.listening');
  check(
    'the server listens on 0.0.0.0, TCP and UDP',
    listening.some((e) => e.protocol === 'tcp' && e.address === '0.0.0.0') &&
      listening.some((e) => e.protocol === 'udp' && e.address === '0.0.0.0'),
    ['server', ['server.listening', 'server.error']],
  );

  const expectedRemote = {
    local: { host: '127.0.0.1', why: 'loopback: client and server share one network namespace' },
    vm: { host: facts.vmClientIp, why: `${P}-echo-vm's own address on ${P}-vm` },
    remote: { host: facts.vmGateway, why: `${P}-vm's gateway (the Docker host's proxy), the NAT address` },
  };
  const dialed = {
    local: '127.0.0.1:7007',
    vm: `${facts.serverIp}:7007`,
    remote: `${facts.wanGateway}:${facts.tcpPublish}`,
  };
  for (const [c, { scenario, greeting }] of Object.entries(ECHO)) {
    const id = connOf(greeting);
    check(`${scenario}: the server received the greeting "${greeting}"`, id !== undefined, [
      'server',
      ['tcp.connection.accepted', 'tcp.data.received'],
    ]);
    const accepted = events('server', 'tcp.connection.accepted').find((e) => e.connId === id);
    const connected = events(c, 'client.connected')[0];
    const want = expectedRemote[scenario];
    check(
      `${scenario}: the server saw the client at ${want.host} (${want.why})`,
      accepted && host(accepted.remote) === want.host,
      ['server', ['tcp.connection.accepted']],
      `server saw ${accepted?.remote ?? '(no connection)'}; the client's own end is ${connected?.local ?? '?'}`,
    );
    check(`${scenario}: the client dialed ${dialed[scenario]}`, connected?.remote === dialed[scenario], [
      c,
      ['client.connected', 'client.error'],
    ]);
    if (scenario === 'remote') {
      check(
        `remote: the server did NOT see the client's wan address ${facts.remoteWanIp}`,
        accepted &&
          host(accepted.remote) !== facts.remoteWanIp &&
          host(connected?.local) === facts.remoteWanIp,
        ['server', ['tcp.connection.accepted']],
        `server saw ${accepted?.remote}; client's end ${connected?.local}`,
      );
    } else {
      check(
        `${scenario}: the server's view of the client is exactly the client's own end (${connected?.local})`,
        accepted && connected && accepted.remote === connected.local,
        ['server', ['tcp.connection.accepted']],
      );
    }
    const n = bytes(`${greeting}\n`);
    const s = id === undefined ? { in: -1, out: -1 } : serverBytes(id);
    check(
      `${scenario}: the server echoed every byte (${n} in, ${n} out)`,
      s.in === n && s.out === n,
      ['server', ['tcp.data.received', 'tcp.data.sent', 'tcp.data.summary']],
      `server in ${s.in}, out ${s.out} on connection #${id}`,
    );
    const sent = sum(events(c, 'client.data.sent'), 'bytes');
    const received = sum(events(c, 'client.data.received'), 'bytes');
    check(
      `${scenario}: the client got back exactly what it sent (${n} bytes)`,
      sent === n && received === n,
      [c, ['client.data.sent', 'client.data.received']],
      `sent ${sent}, received ${received}`,
    );
    check(
      `${scenario}: the echo "${greeting}" is on ${P}-${c}'s screen`,
      screen(c).includes(`echo: ${greeting}`),
      { screen: c },
    );
  }

  const chat = facts.chat;
  const joined = events('server', 'udp.member.joined');
  const chatWant = {
    vm: { host: facts.chatVmIp, why: `${P}-chat-vm's own address` },
    remote: { host: facts.vmGateway, why: `${P}-vm's gateway, the NAT address` },
  };
  for (const [side, other] of [
    ['vm', 'remote'],
    ['remote', 'vm'],
  ]) {
    const me = chat[side];
    const them = chat[other];
    const j = joined.find((e) => e.member === me.nick);
    check(
      `chat ${side}: ${me.nick} joined, seen by the server at ${chatWant[side].host} (${chatWant[side].why})`,
      j && host(j.remote) === chatWant[side].host,
      ['server', ['udp.cookie.sent', 'udp.member.joined']],
      `server saw ${j?.remote ?? '(no join)'}`,
    );
    check(
      `chat ${side}: the server relayed ${me.nick}'s greeting to the other member`,
      events('server', 'udp.message.relayed').some(
        (e) => e.member === me.nick && e.recipients >= 1 && e.bytes === bytes(me.say),
      ),
      ['server', ['udp.message.relayed', 'udp.datagram.rejected']],
    );
    check(
      `chat ${side}: ${me.nick} received ${them.nick}'s greeting across networks`,
      events(`chat-${side}`, 'chat.message.received').some(
        (e) => e.nick === them.nick && e.bytes === bytes(them.say),
      ),
      [`chat-${side}`, ['chat.joined', 'chat.message.received', 'chat.message.sent', 'client.error']],
    );
    check(
      `chat ${side}: "<${them.nick}> ${them.say}" is on ${P}-chat-${side}'s screen`,
      screen(`chat-${side}`).includes(`<${them.nick}> ${them.say}`),
      { screen: `chat-${side}` },
    );
  }
}

function attach() {
  const typed = facts.typed;
  const id = connOf(facts.greetings.vm);
  check(
    `the typed line "${typed}" reached the server on the vm connection #${id}`,
    events('server', 'tcp.data.received').some(
      (e) => e.connId === id && String(e.preview ?? '').startsWith(typed),
    ),
    ['server', ['tcp.data.received']],
  );
  check(
    `${P}-echo-vm logged its echo`,
    events('echo-vm', 'client.data.received').some((e) => String(e.preview ?? '').startsWith(typed)),
    ['echo-vm', ['client.data.sent', 'client.data.received']],
  );
  const pane = screen('attach');
  check(`the attached terminal shows "echo: ${typed}"`, pane.includes(`echo: ${typed}`), {
    screen: 'attach',
  });
  check('the attached terminal shows the detach keys', pane.includes('Ctrl-P Ctrl-Q'), {
    screen: 'attach',
  });
}

function mistake() {
  check(
    'the server is bound to 127.0.0.1 only',
    events('server-mistake', 'server.listening').some(
      (e) => e.protocol === 'tcp' && e.address === '127.0.0.1',
    ),
    ['server-mistake', ['server.listening', 'server.error']],
  );
  check('no connection reached it', events('server-mistake', 'tcp.connection.accepted').length === 0, [
    'server-mistake',
    ['tcp.connection.accepted'],
  ]);
  const err = events('echo-mistake', 'client.error')[0];
  check(
    'the vm client was refused at server-mistake:7007 (LAB_ERR_CONNECT_REFUSED, explained)',
    err?.code === 'LAB_ERR_CONNECT_REFUSED' && String(err.message).includes('server-mistake:7007'),
    ['echo-mistake', ['client.error', 'client.connected']],
  );
  check(
    'every line carries scenario "mistake"',
    [...lines('server-mistake'), ...lines('echo-mistake')].every((l) => l.scenario === 'mistake'),
    ['echo-mistake', []],
  );
}

function stopped() {
  for (const [name, code] of Object.entries(facts.exitCodes ?? {})) {
    const expected = name === `${P}-echo-mistake` ? 1 : 0;
    const c = name.slice(P.length + 1);
    check(
      `${name} exited with code ${expected}${expected ? ' (refused, by design)' : ''}`,
      code === expected,
      [c, []],
      `exit code ${code}`,
    );
  }
  for (const c of ['server', 'server-mistake']) {
    const stopping = events(c, 'server.stopping')[0];
    const done = events(c, 'server.stopped')[0];
    check(
      `${P}-${c} logged server.stopping and server.stopped (SIGTERM, in ${done?.durationMs ?? '?'} ms)`,
      stopping?.signal === 'SIGTERM' && done?.signal === 'SIGTERM' && done.durationMs < 10_000,
      [c, ['server.stopping', 'server.stopped', 'server.error']],
    );
  }
  const typedBytes = bytes(`${facts.typed}\n`);
  for (const [c, { scenario, greeting }] of Object.entries(ECHO)) {
    const n = bytes(`${greeting}\n`) + (scenario === 'vm' ? typedBytes : 0);
    const d = events(c, 'client.disconnected')[0];
    check(
      `${scenario}: ${P}-${c} logged client.disconnected (signal), ${n} bytes each way`,
      d?.reason === 'signal' && d.bytesSent === n && d.bytesReceived === n,
      [c, ['client.disconnected', 'client.error']],
    );
    const id = connOf(greeting);
    const closed = events('server', 'tcp.connection.closed').find((e) => e.connId === id);
    check(
      `${scenario}: the server closed connection #${id} with ${n} bytes in and out`,
      closed && closed.bytesIn === n && closed.bytesOut === n,
      ['server', ['tcp.connection.closed']],
    );
  }
  for (const side of ['vm', 'remote']) {
    const left = events(`chat-${side}`, 'chat.left')[0];
    check(`chat ${side}: ${P}-chat-${side} logged chat.left (signal)`, left?.reason === 'signal', [
      `chat-${side}`,
      ['chat.left', 'chat.server.lost', 'client.error'],
    ]);
  }
}

({ running, attach, mistake, stopped })[phase]();

const failed = results.filter((r) => !r.ok);
if (!quiet) {
  const out = [];
  for (const r of results) {
    out.push(`${r.ok ? 'ok  ' : 'FAIL'} ${phase}: ${r.title}`);
    if (r.ok) continue;
    if (r.detail) out.push(`       ${r.detail}`);
    if (Array.isArray(r.evidence) && r.evidence.length === 2) {
      const [c, names] = r.evidence;
      const all = lines(c);
      const shown = names.length ? all.filter((l) => names.includes(l.event)) : all;
      out.push(
        `       ${names.length ? names.join(', ') : 'last lines'} in ${P}-${c}.jsonl (${all.length} lines):`,
      );
      const tail = shown.slice(-8);
      if (tail.length === 0) out.push('         (none)');
      for (const l of tail) out.push(`         ${JSON.stringify(l).slice(0, 400)}`);
    } else if (r.evidence.screen) {
      const text = screen(r.evidence.screen)
        .split('\n')
        .filter((l) => l.trim() !== '' && l.trim() !== '>');
      out.push(`       end of screen "${r.evidence.screen}":`);
      for (const l of text.slice(-8)) out.push(`         ${l.slice(0, 300)}`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
process.exit(failed.length === 0 ? 0 : 1);
