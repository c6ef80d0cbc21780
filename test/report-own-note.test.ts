import assert from 'node:assert/strict';
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
  assert.match(main.slice(0, 600), /место программ лаборатории заняли ваши: эхо-сервер/);
  assert.match(render(own, 'en'), /your own programs took the place of the lab's: echo server/);
  const ours = await analyse(
    ['lab-server', 'lab-echo-vm'].map((n) => ({ name: n, lines: lazyLines(join(LAB, `${n}.jsonl`)) })),
  );
  assert.doesNotMatch(render(ours, 'ru'), /место программ лаборатории заняли ваши/);
});

test('implementation: without a student’s program the report shows our server’s read and write lines and the 64 KiB read', async () => {
  const { ourServerSource, oursView } = await import('../src/report/index.ts');
  const source = ourServerSource();
  assert.ok(source, 'our echo server’s source is found beside the report module');
  const ours = await analyse(
    ['lab-server', 'lab-echo-vm'].map((n) => ({ name: n, lines: lazyLines(join(LAB, `${n}.jsonl`)) })),
  );
  const ru = render(ours, 'ru', { ours: oursView(source) });
  assert.match(ru, /## Реализация: сервер лаборатории/);
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
    /Реализация: сервер лаборатории/,
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
