import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../src/report/index.ts';

const OWN = 'test/fixtures/own/logs';
const LAB = 'test/fixtures/report/lab';

test('main task: with a student’s own programs the report says first that theirs did the parts ours did not log', async () => {
  const own = await analyse(
    ['echo-server', 'echo-local'].map((n) => ({ name: n, lines: lazyLines(join(OWN, `${n}.jsonl`)) })),
  );
  const ru = render(own, 'ru');
  const main = ru.slice(ru.indexOf('## Основное задание'));
  assert.match(main.slice(0, 600), /место программ стенда заняли ваши: эхо-сервер/);
  assert.match(render(own, 'en'), /your own programs took the place of the lab's: echo server/);
  const ours = await analyse(
    ['lab-server', 'lab-echo-vm'].map((n) => ({ name: n, lines: lazyLines(join(LAB, `${n}.jsonl`)) })),
  );
  assert.doesNotMatch(render(ours, 'ru'), /место программ стенда заняли ваши/);
});

test('implementation: without a student’s program the report shows our server’s read and write lines and the 64 KiB read', async () => {
  const { ourServerSource, oursView } = await import('../src/report/index.ts');
  const source = ourServerSource();
  assert.ok(source, 'our echo server’s source is found beside the report module');
  const ours = await analyse(
    ['lab-server', 'lab-echo-vm'].map((n) => ({ name: n, lines: lazyLines(join(LAB, `${n}.jsonl`)) })),
  );
  const ru = render(ours, 'ru', { ours: oursView(source) });
  assert.match(ru, /## Реализация: сервер стенда/);
  assert.match(ru, /read\(fd, \.\.\., 65536\)/);
  assert.match(ru, /socket\.write\(/);
  // The text says what the listed lines do, each kind of them: not only "read and write" when
  // pause() and resume() are among them.
  for (const [lang, md] of [
    ['ru', ru],
    ['en', render(ours, 'en', { ours: oursView(source) })],
  ] as const) {
    const about = md.split('\n').find((l) => l.includes('65536')) ?? '';
    for (const [call, shown] of [
      ['.write(', 'write()'],
      ['.pause(', 'pause()'],
      ['.resume(', 'resume()'],
      ['.end(', 'end()'],
      [".on('data'", "on('data')"],
    ] as const)
      if (md.includes(call)) assert.ok(about.includes(shown), `${lang}: the text names ${shown}: ${about}`);
  }
  assert.doesNotMatch(
    render(ours, 'ru'),
    /Реализация: сервер стенда/,
    'nothing when the caller gives no source',
  );
});

test('timeline: a student’s client’s traced calls stand in its scenario beside the server’s lines, causes first, at the times strace saw', async () => {
  const run = await analyse(
    ['timeline-client-local', 'timeline-server'].map((n) => ({
      name: n,
      lines: lazyLines(join(OWN, `${n}.jsonl`)),
    })),
  );
  // strace's times (at, startedAt: ms with a fraction) are values a trace gives: no check fails.
  assert.deepEqual(
    run.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    [],
  );
  const md = render(run, 'en');
  const local = md.slice(md.lastIndexOf('### Scenario `local`'));
  const rows = local
    .slice(local.indexOf('#### Timeline'), local.indexOf('\n### ', 10))
    .split('\n')
    .filter((l) => /^\| \d\d:\d\d:\d\d\.\d{3} \|/.test(l));
  const connect = rows.findIndex((l) => l.includes('`own.call`') && l.includes('connect()'));
  const accepted = rows.findIndex((l) => l.includes('`tcp.connection.accepted`'));
  assert.ok(connect >= 0 && accepted >= 0, `rows: ${rows.length}; ${local.slice(0, 300)}`);
  assert.ok(connect < accepted, 'the client’s connect() before the server’s accept()');
  const times = rows.map((l) => l.slice(2, 14));
  assert.deepEqual([...times].sort(), times, 'the times never go back');
});

test('timeline: a server whose parts a student’s programs replaced does not describe sockets it never opened, also in a log written before it said so', async () => {
  const { explain } = await import('../src/log/events.ts');
  const config = { host: '0.0.0.0', tcpPort: 7007, udpPort: 7008, chunkSize: 1024 };
  const says = (serving: 'tcp' | 'udp' | 'none' | undefined, lang: 'en' | 'ru') =>
    explain('server.starting', { version: '1.0.0', config, ...(serving ? { serving } : {}) }, lang);
  assert.match(says(undefined, 'en'), /TCP echo on port 7007, UDP chat on port 7008, .*64 KiB/);
  assert.match(
    says('tcp', 'en'),
    /TCP echo on port 7007, bound to .*64 KiB.*UDP port 7008 is left to the student's own chat server/,
  );
  assert.doesNotMatch(says('udp', 'en'), /64 KiB|TCP echo on/);
  assert.match(
    says('udp', 'en'),
    /UDP chat on port 7008.*TCP port 7007 is left to the student's own echo server/,
  );
  assert.doesNotMatch(says('none', 'en'), /64 KiB|read\(\)|bound to/);
  assert.doesNotMatch(says('none', 'ru'), /64 КиБ|read\(\)|адрес привязки/);
  assert.match(
    says('none', 'ru'),
    /без своих серверов: TCP-порт 7007 оставлен собственному эхо-серверу студента/,
  );

  // The first v2 run with both servers the student's (no `serving` logged): read from server.replaced.
  const dir = 'test/fixtures/own/student-run/logs';
  const run = await analyse(
    readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })),
  );
  for (const lang of ['en', 'ru'] as const) {
    const text = render(run, lang);
    assert.doesNotMatch(text, /64 KiB|64 КиБ/, `${lang}: our server's reads in a run where it read nothing`);
    assert.doesNotMatch(text, /0 connections get a FIN|0 соединений получают FIN/);
  }
  assert.match(render(run, 'en'), /starting without servers of its own/);
  assert.match(render(run, 'en'), /Both parts were left to the student's own servers/);
});
