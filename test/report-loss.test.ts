import assert from 'node:assert/strict';
import { test } from 'node:test';

// Question 5 (TCP vs UDP) from chat logs alone: which messages were lost, by number. The report
// with a real capture beside the logs: test/system/report-wire.test.ts.

function line(
  time: number,
  host: string,
  scenario: string,
  event: string,
  fields: Record<string, unknown>,
): string {
  const iso = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, time)).toISOString();
  return JSON.stringify({
    level: 30,
    time: iso,
    schema: 1,
    pid: 7,
    hostname: host,
    scenario,
    component: 'chat-client',
    event,
    ...fields,
    msg: event,
  });
}

function chatRun(lost: number[]): string[] {
  const out = [
    line(0, 'a', 'vm', 'chat.joined', {
      nick: 'a',
      server: '10.0.0.1:7008',
      local: '10.0.0.2:5000',
      members: 2,
    }),
    line(0, 'b', 'remote', 'chat.joined', {
      nick: 'b',
      server: '10.0.0.1:7008',
      local: '10.9.0.2:5000',
      members: 2,
    }),
  ];
  for (let n = 1; n <= 5; n++) {
    const text = `#${String(n).padStart(2, '0')}/05`;
    out.push(line(10 * n, 'a', 'vm', 'chat.message.sent', { nick: 'a', bytes: 6, text }));
    if (!lost.includes(n))
      out.push(line(10 * n + 1, 'b', 'remote', 'chat.message.received', { nick: 'a', bytes: 6, text }));
  }
  return out;
}

test('question 5: the lost chat messages by number and the loss rate; without loss, the command that shows it', async () => {
  const { analyse, lossAnswer: blocks, toMarkdown } = await import('../src/report/index.ts');
  const lossAnswer = (...a: Parameters<typeof blocks>) =>
    toMarkdown({ title: 'q5', lang: a[2], blocks: blocks(...a) });
  const lossy = await analyse([{ name: 'lab', lines: chatRun([2, 5]) }]);
  const en = lossAnswer(lossy.model, undefined, 'en');
  assert.match(
    en,
    /UDP chat a \(vm\) → b \(remote\): 5 messages sent, 3 arrived, 2 never arrived: numbers 2, 5 \(loss 40\.0 %\)/,
  );
  assert.match(en, /No server capture: the TCP retransmissions cannot be counted/);
  const ru = lossAnswer(lossy.model, undefined, 'ru');
  assert.match(ru, /отправлено 5, дошло 3, не дошло 2: номера 2, 5 \(потери 40,0 %\)/);
  const clean = await analyse([{ name: 'lab', lines: chatRun([]) }]);
  assert.match(
    lossAnswer(clean.model, undefined, 'en'),
    /the network lost no chat datagram \(5 messages sent across networks, all arrived\)[^\n]*`LAB_WAN_LOSS=30 docker compose up` \(with Compose v1: `LAB_WAN_LOSS=30 docker-compose up`\)/,
  );
  assert.match(
    lossAnswer(clean.model, undefined, 'ru'),
    /сеть не потеряла ни одной дейтаграммы чата[^\n]*`LAB_WAN_LOSS=30 docker compose up` \(с Compose v1 — `LAB_WAN_LOSS=30 docker-compose up`\)/,
  );
});

function routerLine(fields: Record<string, unknown>): string {
  return JSON.stringify({
    level: 30,
    time: new Date(Date.UTC(2026, 0, 1, 11, 59, 59)).toISOString(),
    schema: 1,
    pid: 9,
    hostname: 'lab-router',
    component: 'router',
    event: 'router.ready',
    wan: '198.18.8.10',
    wanInterface: 'eth1',
    vm: '198.18.7.2',
    vmInterface: 'eth0',
    server: '198.18.7.10',
    tcpPort: 7007,
    udpPort: 7008,
    ...fields,
    msg: 'router.ready',
  });
}

test('question 5: a router with loss 0 % and delay 0 ms is not an impaired link', async () => {
  const { analyse, lossAnswer: blocks, lossFigures, toMarkdown } = await import('../src/report/index.ts');
  const answer = (model: Parameters<typeof blocks>[0], lang: 'en' | 'ru') =>
    toMarkdown({ title: 'q5', lang, blocks: blocks(model, undefined, lang) });
  // The default lab: the router forwards, nothing impaired. The old text said "although the link
  // was impaired" here, beside the router's own "loss 0 %, delay 0 ms".
  const plain = await analyse([
    { name: 'lab', lines: [routerLine({ lossPercent: 0, delayMs: 0 }), ...chatRun([])] },
  ]);
  assert.equal(lossFigures(plain.model, undefined).impaired, false);
  assert.match(
    answer(plain.model, 'en'),
    /: the link was not impaired \(the router logged loss 0 %, delay 0 ms\)/,
  );
  assert.doesNotMatch(answer(plain.model, 'en'), /although/);
  assert.doesNotMatch(answer(plain.model, 'ru'), /хотя/);
  // A configured loss is an impaired link, even when nothing happened to be lost.
  const lossy = await analyse([
    { name: 'lab', lines: [routerLine({ lossPercent: 30, delayMs: 0 }), ...chatRun([])] },
  ]);
  assert.equal(lossFigures(lossy.model, undefined).impaired, true);
  assert.match(
    answer(lossy.model, 'ru'),
    /хотя маршрутизатор был настроен отбрасывать или задерживать пакеты/,
  );
});
