/**
 * The course's report from a fixture run: every control question in both languages, the title
 * block, the 1 KB portions, no English left in the Russian report, and a merged timeline that never
 * shows an effect before its cause.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { code, codeBlock, heading, table } from '../src/report/document/build.js';
import { type Analysis, SECTIONS, analyse, lazyLines, render } from '../src/report/index.js';
import { mergeStreams } from '../src/report/timeline.js';

async function fixture(dir: string): Promise<Analysis> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  return analyse(files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(dir, f)) })));
}

/** Prose only: code spans, fenced blocks and table cells made of code are what the logs say, not text. */
function prose(md: string): string {
  return (
    md
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/`[^`\n]*`/g, ' ')
      // Names and codes, not words: containers (lab-server), events (client.disconnected), reason
      // codes beside their translation (user-exit), system calls (read()).
      .replace(/[\w]+(?:[.-][\w]+)+/g, ' ')
      .replace(/\w+\(\)/g, ' ')
  );
}

/** English words that would mean a sentence was left untranslated. */
const ENGLISH = [
  'the',
  'and',
  'not',
  'sent',
  'received',
  'server',
  'client',
  'bytes',
  'portion',
  'connection',
  'scenario',
  'came back',
  'read',
  'joined',
  'left',
  'from',
  'question',
  'appendix',
  'student',
  'group',
  'set',
  'run',
];

for (const dir of ['test/fixtures/report/lab', 'test/fixtures/report/docker']) {
  test(`course report (${dir}): seven control questions in both languages, the title block, conclusions`, async () => {
    const a = await fixture(dir);
    const en = render(a, 'en');
    const ru = render(a, 'ru');
    for (let n = 1; n <= 7; n++) {
      assert.match(en, new RegExp(`^### Question ${n}\\. `, 'm'));
      assert.match(ru, new RegExp(`^### Вопрос ${n}\\. `, 'm'));
    }
    assert.ok((ru.match(/вопрос/gi) ?? []).length > 0);
    assert.match(en, /not set: student.*LAB_STUDENT/);
    assert.match(ru, /не указано: ФИО студента.*LAB_STUDENT/);
    assert.match(ru, /не указано: группа.*LAB_GROUP/);
    const named = render(a, 'ru', { student: 'Петрова А. С.', group: 'ИВТ-21' });
    assert.match(named, /\| Студент \| Петрова А\. С\. \|/);
    assert.match(named, /\| Группа \| ИВТ-21 \|/);
    assert.doesNotMatch(named, /не указано/);
    // The course's order: goal, main task, extra tasks, questions, conclusions, then the evidence.
    const order = [
      '## Goal',
      '## Main task',
      '## Extra tasks',
      '## Control questions',
      '## Conclusions',
      '## Appendix',
    ];
    const at = order.map((h) => en.indexOf(`\n${h}`));
    assert.ok(
      at.every((x, i) => x > 0 && (i === 0 || x > (at[i - 1] as number))),
      at.join(','),
    );
    // Every status the conclusions list is a check's.
    assert.equal(
      (en.split('## Conclusions')[1]?.split('## Appendix')[0]?.match(/^- /gm) ?? []).length,
      a.checks.length,
    );
    // The seven server events and the four client events, as lines of this run (source:line).
    const item2 = en.split('### 2. ')[1]?.split('### 3. ')[0] ?? '';
    assert.equal((item2.match(/^\| [a-z]/gm) ?? []).length - 1, 7);
    for (const e of [
      'server.starting',
      'server.listening',
      'tcp.connection.accepted',
      'tcp.data.received',
      'tcp.data.sent',
      'tcp.connection.closed',
      'server.stopped',
    ])
      assert.match(item2, new RegExp(`\`${e.replace(/\./g, '\\.')}\` \\| \\d\\d:\\d\\d`), e);
  });

  test(`course report (${dir}): no English words in the Russian report outside code`, async () => {
    const ru = prose(render(await fixture(dir), 'ru'));
    const found = ENGLISH.filter((w) => new RegExp(`(^|[^\\p{L}])${w}([^\\p{L}]|$)`, 'iu').test(ru));
    const context = found.map(
      (w) => ru.match(new RegExp(`.{0,60}(^|[^\\p{L}])${w}[^\\p{L}].{0,40}`, 'imu'))?.[0],
    );
    assert.deepEqual(found, [], context.join('\n'));
  });
}

test('course report: a line longer than 1 KB is shown as its portions, truthfully', async () => {
  const a = await fixture('test/fixtures/report/lab');
  const en = render(a, 'en');
  const ru = render(a, 'ru');
  // lab-echo-vm sent 1023 ASCII bytes and a Cyrillic word: 1034 bytes, portions 1024 + 10.
  assert.match(en, /a line of \*\*1034 bytes\*\*/);
  assert.match(en, /\*\*1024 \+ 10 = 1034 bytes\*\*/);
  assert.match(en, /a portion is a slice of one read, not a separate recv\(\) call, and not a TCP segment/);
  // One write() per read, never one per portion: the server's code writes the whole read back.
  assert.match(en, /wrote what it had read back with one write\(\) per read \(not one per portion\)/);
  assert.doesNotMatch(en, /wrote each one back/);
  assert.match(ru, /\*\*1024 \+ 10 = 1034 байта\*\*/);
  assert.match(en, /Portion #3 starts with `�`/);
  // The docker fixture holds no line over 1 KB: the report says so and gives the command.
  const docker = render(await fixture('test/fixtures/report/docker'), 'en');
  assert.match(docker, /No line in this run was longer than 1024 bytes/);
  assert.match(docker, /'x'\.repeat\(2500\)/);
});

test('course report: what the run lacks is said, with a command, never invented', async () => {
  const en = render(await fixture('test/fixtures/report/lab'), 'en');
  assert.match(
    en,
    /No `tcp\.backpressure` line in this run: Node’s own send queue never grew past its high-water mark/,
  );
  // Its absence says nothing about the kernel's buffer: the report must not claim it.
  assert.doesNotMatch(en, /fit(ted)? into the kernel/);
  // One connection open at a time: the run shows no multiplexing, and the report says so.
  assert.match(en, /this run shows no multiplexing of TCP connections/);
  assert.match(en, /fcntl\(fd, F_SETFL, fcntl\(fd, F_GETFL\) \| O_NONBLOCK\)/);
  assert.match(en, /--log-level debug/);
  // The lab run's clients typed exit; the docker run's were stopped by a signal.
  assert.match(en, /Clients that ended because the user typed `exit`/);
  const docker = render(await fixture('test/fixtures/report/docker'), 'en');
  assert.match(docker, /No client in this run ended with `exit`/);
  assert.match(docker, /docker attach /);
});

test('causal order: the merged timeline shows no read before the write that sent its bytes', async () => {
  for (const dir of ['test/fixtures/report/lab', 'test/fixtures/report/docker']) {
    const a = await fixture(dir);
    const pos = a.model.order;
    for (const s of a.model.echo) {
      const sent = s.server?.records.find((r) => r.event === 'tcp.data.sent');
      const got = s.records.find((r) => r.event === 'client.data.received');
      if (sent && got) assert.ok((pos.get(sent) ?? 0) < (pos.get(got) ?? 0), `${dir} ${s.program.label}`);
    }
    for (const c of a.model.chat) {
      for (const r of c.records.filter((x) => x.event === 'chat.message.received')) {
        const relay = a.model.members
          .find((m) => m.nick === r.fields.nick)
          ?.records.find((x) => x.event === 'udp.message.relayed' && x.fields.bytes === r.fields.bytes);
        if (relay) assert.ok((pos.get(relay) ?? 0) < (pos.get(r) ?? 0), `${dir}: relay before its copy`);
      }
    }
  }
});

test('mergeStreams (property): keeps each stream in order and never puts an effect before its cause', () => {
  // A true history: events in causal order, each owned by one of k streams; every stream's clock
  // is skewed by its own offset, and some events are effects of earlier events of other streams.
  const history = fc
    .record({
      k: fc.integer({ min: 1, max: 4 }),
      events: fc.array(fc.record({ stream: fc.nat(3), gap: fc.nat(5), cause: fc.option(fc.nat(40)) }), {
        maxLength: 40,
      }),
      skew: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 4, maxLength: 4 }),
    })
    .map(({ k, events, skew }) => {
      let t = 0;
      const all = events.map((e, i) => {
        t += e.gap;
        const stream = e.stream % k;
        return { id: i, stream, time: t + (skew[stream] ?? 0), cause: e.cause };
      });
      return { k, all };
    });
  fc.assert(
    fc.property(history, ({ k, all }) => {
      const streams = Array.from({ length: k }, (_, s) => all.filter((e) => e.stream === s));
      const after = new Map<(typeof all)[number], Array<(typeof all)[number]>>();
      for (const e of all) {
        const c = e.cause === null ? undefined : all[e.cause];
        // Only a cause that really came earlier, in another stream.
        if (c && c.id < e.id && c.stream !== e.stream) after.set(e, [c]);
      }
      const out = mergeStreams(streams, after);
      assert.equal(out.length, all.length);
      const pos = new Map(out.map((e, i) => [e, i]));
      for (const s of streams)
        for (let i = 1; i < s.length; i++) assert.ok((pos.get(s[i - 1]!) ?? 0) < (pos.get(s[i]!) ?? 0));
      for (const [effect, causes] of after)
        for (const c of causes) assert.ok((pos.get(c) ?? 0) < (pos.get(effect) ?? 0), 'cause first');
    }),
    { numRuns: 500 },
  );
});

test('course report: one function per section, in the course order; others place blocks after any of them', async () => {
  const a = await fixture('test/fixtures/report/lab');
  const own = [
    heading(2, 'Implementation'),
    codeBlock('import socket\nsock = socket.socket()', 'python', {
      firstLine: 1,
      notes: [{ line: 2, content: [code('socket()')] }],
    }),
    table(['call', 'result'], [[[code('bind()')], '0.0.0.0:7007']]),
  ];
  assert.deepEqual(SECTIONS, [
    'title',
    'goal',
    'setup',
    'main-task',
    'extra-tasks',
    'questions',
    'conclusions',
    'appendix',
  ]);
  const md = render(a, 'en', { after: { 'main-task': own } });
  const at = (s: string) => md.indexOf(s);
  assert.ok(at('## Main task') < at('## Implementation'), 'after the main task');
  assert.ok(at('## Implementation') < at('## Extra tasks'), 'before the extra tasks');
  assert.match(md, /```python\n1 \| import socket\n2 > sock = socket\.socket\(\)\n {2}\| \^ socket\(\)\n```/);
  const html = render(a, 'en', { format: 'html', after: { 'main-task': own } });
  assert.match(html, /<h2 id="implementation">Implementation<\/h2>/);
});

test('course report: the setup says what stood for the machines, the address plan and the router’s rules', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const dir = 'docs/examples/logs';
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({
      name: f.replace(/\.jsonl$/, ''),
      lines: readFileSync(`${dir}/${f}`, 'utf8').split('\n'),
    }));
  const a = await analyse(sources);
  const en = render(a, 'en');
  const ru = render(a, 'ru');
  assert.ok(
    en.indexOf('## Setup') > en.indexOf('## Goal') && en.indexOf('## Setup') < en.indexOf('## Main task'),
  );
  assert.match(en, /played by a Docker container: a process in its own network namespace/);
  // The router's address on each network and its rules, cited from its own lines.
  assert.match(en, /\| `c20-router` \| router \| `c20-router` \| wan `198\.18\.8\.254`, vm `198\.18\.7\.2`/);
  assert.match(en, /iptables -t nat -A PREROUTING [^\n]*DNAT[^\n]*`c20-router:\d+`/);
  assert.match(ru, /loss 0 %|потери 0 %, задержка 0 мс в каждую сторону/);
  // Each client's own address from its own line.
  assert.match(en, /\| `c20-echo-vm` \| vm \| `c20-echo-vm` \| `198\.18\.7\.4` \(`c20-echo-vm:1`\)/);
});

test('course report: times are the run’s local time with its zone', async (t) => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const dir = 'docs/examples/logs';
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({
      name: f.replace(/\.jsonl$/, ''),
      lines: readFileSync(`${dir}/${f}`, 'utf8').split('\n'),
    }));
  const before = process.env.TZ;
  t.after(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });
  process.env.TZ = 'Europe/Moscow'; // Node reads TZ again when it changes
  const ru = render(await analyse(sources), 'ru');
  // The server started at 02:03:20.906 UTC: 05:03:20.906 in Moscow, and the zone is named.
  assert.match(ru, /\| Дата запуска \| 2026-12-02, 05:03:20\.702–05:03:57\.745 UTC\+03:00 \|/);
  assert.match(ru, /\| время \(UTC\+03:00\) \| источник \| событие \| пояснение \|/);
  assert.match(ru, /Время — с 2026-12-02 05:03:20\.702 UTC\+03:00/);
  process.env.TZ = 'UTC';
  const utc = render(await analyse(sources), 'ru');
  assert.match(utc, /\| Дата запуска \| 2026-12-02, 02:03:20\.702–02:03:57\.745 UTC \|/);
});

test('course report: the sequence diagram draws one echo arrow per write(), not one per portion', async () => {
  // lab-echo-vm's 1034-byte line: portions 2 and 3 of one read, written back with one write().
  const en = render(await fixture('test/fixtures/report/lab'), 'en');
  assert.match(en, /S-->>E\d+: echo of portions 2 to 3: one write\(\), 1034 B/);
  assert.doesNotMatch(en, /echo of portion 2:/);
  assert.doesNotMatch(en, /echo of portion 3:/);
});

test('course report (the lab’s run): what the teacher struck out stays out', async () => {
  const a = await fixture('docs/examples/logs');
  const ru = render(a, 'ru');
  const en = render(a, 'en');
  const part = (md: string, h: string) => {
    const i = md.indexOf(h);
    assert.ok(i >= 0, h);
    const j = md.indexOf('\n#', i + h.length);
    return md.slice(i, j < 0 ? undefined : j);
  };
  // Main task 1: the 1024 + 205 split came from the client's two writes, not the server's 1 KB slicing.
  assert.match(part(ru, '### 1. '), /здесь строку разделили записи клиента/);
  assert.match(part(en, '### 1. '), /here the split came from the client’s writes/);
  assert.doesNotMatch(ru, /прочитанное, записанное в журнал/);
  // The goal does not say the lab's server reads 1 KB at a time.
  assert.match(part(ru, '## Цель работы'), /сервер стенда не читает по 1 КБ/);
  // Main task 3: a session's totals are not put in the «line sent» column as if a line.
  assert.doesNotMatch(part(ru, '### 3. '), /\*конец: /);
  assert.match(
    part(ru, '### 3. '),
    /\*итог при отключении \(сигнал остановки\), а не строка\* \| всего отправлено 197 \| всего получено 197/,
  );
  // Q3 and the conclusions: the server's non-blocking sockets are what strace shows, not this run's logs.
  assert.match(
    part(ru, '### Вопрос 3.'),
    /strace показывает, что он переводит все сокеты в неблокирующий режим/,
  );
  assert.match(part(ru, '## Выводы'), /так этот сервер работает по strace/);
  // Q5: the same handshake as «В сети», the PINGs explained, no timeout claimed that the run does not show.
  const q5 = part(ru, '### Вопрос 5.');
  assert.match(q5, /\(HELLO, COOKIE размером \d+ байт, JOIN, WELCOME\)/);
  assert.match(q5, /дейтаграмму `PING` размером 4 байта/);
  assert.match(q5, /в его журнале нет ни одного участника, удалённого так/);
  assert.doesNotMatch(q5, /удаляет молчащих участников по тайм-ауту/);
  // Q6: connect() is not one of the server's calls.
  assert.match(part(ru, '### Вопрос 6.'), /клиент ни одного из этих вызовов не делал: он вызвал connect\(\)/);
  assert.doesNotMatch(ru, /из этих вызовов у клиента — только connect/);
  // Russian: no calques, no bare «cookie» in the prose.
  assert.doesNotMatch(
    ru,
    /каждому другому участнику|по одной каждому другому|перед сервером|собственный конец|каждое первой такой строкой/,
  );
  assert.doesNotMatch(ru, /отправлен cookie|cookie вернулся|JOIN с cookie/);
  // A portion's echo line is written before the write(): not a promise in the future tense.
  assert.doesNotMatch(ru, /войдёт в эхо/);
  assert.match(ru, /Эхо порции №1 \(89 байт\) клиенту №1: сразу после того/);
  assert.doesNotMatch(en, /in front of the server/);
});
