/**
 * Control question 5 with this run's numbers: UDP loses messages, TCP repeats segments. Which
 * numbered chat messages never arrived (from the chat clients' and the server's logs) and the loss
 * rate, against the echo's bytes (all delivered, or not) with the TCP retransmissions the capture
 * shows and the time they cost. A Markdown block the document places under question 5.
 */
import type { Lang } from '../text/lang.js';
import { count, pluralForm } from '../text/plural.js';
import { retransmissionsOf } from '../wire/index.js';
import { type ChatSession, type LabModel, numField } from './aggregate.js';
import type { LogRecord } from './parse.js';
import { code, list, paragraph, prose, text } from './document/build.js';
import type { Block, Inline } from './document/model.js';
import { type WireAnalysis, ownChatRan } from './wire-section.js';

/** The command that impairs the remote clients' link, for a run that had no loss. */
export const LOSS_COMMAND = 'LAB_WAN_LOSS=30 docker compose up';
/** The same with Compose v1, whose command is `docker-compose`: the logs do not say which one ran. */
export const LOSS_COMMAND_V1 = 'LAB_WAN_LOSS=30 docker-compose up';

/** "#07/50" in any text field of a line (the scripted comparison numbers its chat messages). */
const NUMBERED = /#(\d+)\/(\d+)/;

function numberOf(r: LogRecord): { n: number; of: number } | undefined {
  for (const v of Object.values(r.fields)) {
    if (typeof v !== 'string') continue;
    const m = NUMBERED.exec(v);
    if (m) return { n: Number(m[1]), of: Number(m[2]) };
  }
  const n = numField(r, 'seq');
  const of = numField(r, 'of') ?? numField(r, 'total');
  return n !== undefined && of !== undefined ? { n, of } : undefined;
}

/** One sender -> receiver pair of chat clients on different networks, counted. */
export interface ChatLoss {
  from: string;
  to: string;
  sent: number;
  received: number;
  /** Message numbers that never arrived, when the messages were numbered. */
  missing: number[] | undefined;
}

/** The loss figures of a run: chat pairs, the echo's bytes, TCP's repeats, the link's settings. */
export interface LossFigures {
  /** The router was configured to drop or delay packets (loss or delay above 0 in its lines). */
  impaired: boolean;
  /** Something was lost anyway: a chat message missing, or TCP retransmissions in the capture. */
  observedLoss: boolean;
  /** From the router's `router.*` lines: the loss percent it applied, when it said. */
  lossPercent: number | undefined;
  /** From the router's lines: the delay it applied each way, when it said. */
  delayMs: number | undefined;
  chat: ChatLoss[];
  echo: { sent: number; received: number; sessions: number };
  retransmissions: { segments: number; bytes: number; delayMs: number; connections: number } | undefined;
}

function who(s: ChatSession): string {
  return `${s.nick ?? '?'} (${s.scenario})`;
}

/** The figures of question 5 from the model (logs) and, when there is one, the server capture. */
export function lossFigures(model: LabModel, wire: WireAnalysis | undefined): LossFigures {
  const router = model.timeline.records.filter((r) => r.event.startsWith('router.'));
  const lossPercent = router
    .map((r) => numField(r, 'loss') ?? numField(r, 'lossPercent'))
    .find((v) => v !== undefined);
  const delayMs = router.map((r) => numField(r, 'delayMs')).find((v) => v !== undefined);
  // Only a configured loss or delay impairs the link: a router that forwards (DNAT/MASQUERADE) with
  // "loss 0 %, delay 0 ms" is a plain link, however many router lines the logs hold.
  const configured =
    (lossPercent ?? 0) > 0 ||
    (delayMs ?? 0) > 0 ||
    router.some(
      (r) => r.event === 'router.rule.applied' && ['loss', 'delay'].includes(String(r.fields.purpose)),
    );
  const chat: ChatLoss[] = [];
  const joined = model.chat.filter((s) => s.joined);
  for (const sender of joined) {
    const sent = sender.records.filter((r) => r.event === 'chat.message.sent');
    if (sent.length === 0) continue;
    // The numbers: the sender's own line when it holds the text, else the server's relay preview.
    const relayed = sender.member?.records.filter((r) => r.event === 'udp.message.relayed') ?? [];
    const sentNumbers = [...sent, ...relayed].map(numberOf).filter((x) => x !== undefined);
    for (const receiver of joined) {
      if (receiver === sender || receiver.scenario === sender.scenario) continue;
      const got = receiver.records.filter(
        (r) => r.event === 'chat.message.received' && r.fields.nick === sender.nick,
      );
      const gotNumbers = got.map(numberOf).filter((x) => x !== undefined);
      let missing: number[] | undefined;
      if (sentNumbers.length > 0 && gotNumbers.length > 0) {
        const of = sentNumbers.reduce((m, x) => Math.max(m, x.of), 0);
        const have = new Set(gotNumbers.map((x) => x.n));
        missing = [];
        for (let n = 1; n <= Math.min(of, sent.length); n++) if (!have.has(n)) missing.push(n);
      }
      chat.push({ from: who(sender), to: who(receiver), sent: sent.length, received: got.length, missing });
    }
  }
  let echoSent = 0;
  let echoReceived = 0;
  let sessions = 0;
  for (const s of model.echo) {
    if (!s.disconnected) continue;
    sessions++;
    echoSent += numField(s.disconnected, 'bytesSent') ?? 0;
    echoReceived += numField(s.disconnected, 'bytesReceived') ?? 0;
  }
  let retransmissions: LossFigures['retransmissions'];
  if (wire?.serverFlows) {
    const ports = wire.serverPorts;
    const conns = wire.serverFlows.tcp.filter(
      (c) => ports.length === 0 || ports.some((p) => c.server.endsWith(`:${p}`)),
    );
    const sums = conns.map(retransmissionsOf);
    retransmissions = {
      segments: sums.reduce((n, r) => n + r.total, 0),
      bytes: sums.reduce((n, r) => n + r.bytes, 0),
      delayMs: sums.reduce((n, r) => n + r.delayMs, 0),
      connections: conns.length,
    };
  }
  const lost = chat.some((c) => c.received < c.sent);
  return {
    impaired: configured,
    delayMs,
    observedLoss: lost || (retransmissions?.segments ?? 0) > 0,
    lossPercent,
    chat,
    echo: { sent: echoSent, received: echoReceived, sessions },
    retransmissions,
  };
}

const pct = (a: number, b: number) => (b === 0 ? '0' : ((100 * a) / b).toFixed(1));

/**
 * Question 5 answered with the run's numbers (en/ru): a paragraph, then the figures as a list.
 * Without loss it says so and gives the command that impairs the link.
 */
export function lossAnswer(model: LabModel, wire: WireAnalysis | undefined, lang: Lang): Block[] {
  const f = lossFigures(model, wire);
  const en = lang === 'en';
  const out: Inline[][] = [];
  const items: Inline[][] = [];
  const lost = f.chat.filter((c) => c.received < c.sent);
  const conn = (n: number) => count(lang, n, 'connection');
  // "in 1 connection" / "в 1 соединении": the locative the count's noun needs after «в».
  const inConns = (n: number) =>
    en
      ? `${n} ${n === 1 ? 'connection' : 'connections'}`
      : `${n} ${pluralForm('ru', n, { one: 'соединении', other: 'соединениях' })}`;
  const setting =
    f.lossPercent !== undefined || f.delayMs !== undefined
      ? en
        ? ` (the router logged loss ${f.lossPercent ?? 0} %, delay ${f.delayMs ?? 0} ms)`
        : ` (маршрутизатор записал: потери ${f.lossPercent ?? 0} %, задержка ${f.delayMs ?? 0} мс)`
      : '';
  if (lost.length === 0) {
    const chatTotal = f.chat.reduce((n, c) => n + c.sent, 0);
    const across =
      chatTotal > 0
        ? en
          ? ` (${count('en', chatTotal, 'message')} sent across networks, all arrived)`
          : ` (между сетями отправлено ${count('ru', chatTotal, 'message')}, дошли все)`
        : '';
    // The student's chat programs ran and the lab's did not: the lab's clients are not this run's
    // story (the traced counts of the student's chat are said beside this), only the link is.
    const ownChatOnly = chatTotal === 0 && model.chat.length === 0 && ownChatRan(model);
    out.push(
      ownChatOnly
        ? en
          ? prose`The link between the networks ${f.impaired ? 'was set to drop or delay packets' : 'was not impaired'}${setting}: the conditions of the run, not a measurement. To see UDP lose messages while TCP repeats its segments, run ${code(LOSS_COMMAND)} (with Compose v1: ${code(LOSS_COMMAND_V1)}) and make the report again.`
          : prose`Канал между сетями ${f.impaired ? 'был настроен отбрасывать или задерживать пакеты' : 'не был ухудшен'}${setting}: это условия опыта, а не измерение. Чтобы увидеть, как UDP теряет сообщения, а TCP повторяет сегменты, запустите ${code(LOSS_COMMAND)} (с Compose v1 — ${code(LOSS_COMMAND_V1)}) и постройте отчёт заново.`
        : en
          ? chatTotal === 0
            ? prose`The lab's chat clients sent no message across networks in this run, so no chat loss is measured from their counts; the link ${f.impaired ? 'was set to drop or delay packets' : 'was not impaired'}${setting}: the conditions of the run, not a measurement. To see UDP lose messages while TCP repeats its segments, run ${code(LOSS_COMMAND)} (with Compose v1: ${code(LOSS_COMMAND_V1)}) and make the report again.`
            : prose`In this run the network lost no chat datagram${across}${f.impaired ? `, although the router was set to drop or delay packets${setting}` : `: the link was not impaired${setting}`}. To see UDP lose messages while TCP repeats its segments, run ${code(LOSS_COMMAND)} (with Compose v1: ${code(LOSS_COMMAND_V1)}) and make the report again.`
          : chatTotal === 0
            ? prose`Клиенты чата стенда в этом запуске не отправили сообщений между сетями, поэтому потери в чате по их счётчикам не измерить; канал ${f.impaired ? 'был настроен отбрасывать или задерживать пакеты' : 'не был ухудшен'}${setting}: это условия опыта, а не измерение. Чтобы увидеть, как UDP теряет сообщения, а TCP повторяет сегменты, запустите ${code(LOSS_COMMAND)} (с Compose v1 — ${code(LOSS_COMMAND_V1)}) и постройте отчёт заново.`
            : prose`В этом запуске сеть не потеряла ни одной дейтаграммы чата${across}${f.impaired ? `, хотя маршрутизатор был настроен отбрасывать или задерживать пакеты${setting}` : `: канал не был ухудшен${setting}`}. Чтобы увидеть, как UDP теряет сообщения, а TCP повторяет сегменты, запустите ${code(LOSS_COMMAND)} (с Compose v1 — ${code(LOSS_COMMAND_V1)}) и постройте отчёт заново.`,
    );
  } else {
    if (f.lossPercent !== undefined && f.lossPercent > 0)
      out.push([
        text(
          en
            ? `The router dropped packets of the remote link at random (${f.lossPercent} % each way).`
            : `Маршрутизатор случайно отбрасывал пакеты удалённого канала (${f.lossPercent} % в каждую сторону).`,
        ),
      ]);
    else if (!f.impaired)
      out.push([
        text(
          en
            ? `The router was not set to drop packets${setting}, yet chat messages were lost: a datagram can be dropped anywhere on the way (a full socket buffer, a queue), and UDP does not notice.`
            : `Маршрутизатор не был настроен отбрасывать пакеты${setting}, но сообщения чата всё же потерялись: дейтаграмма может пропасть в любом месте пути (переполненный буфер сокета, очередь), и UDP этого не замечает.`,
        ),
      ]);
    for (const c of f.chat) {
      const n = c.sent - c.received;
      const which =
        c.missing && c.missing.length > 0
          ? en
            ? `: numbers ${c.missing.join(', ')}`
            : `: номера ${c.missing.join(', ')}`
          : '';
      items.push([
        text(
          en
            ? `UDP chat ${c.from} → ${c.to}: ${c.sent} messages sent, ${c.received} arrived, ${n} never arrived${which} (loss ${pct(n, c.sent)} %). Nobody resent them: UDP has no acknowledgement and no retransmission.`
            : `Чат по UDP ${c.from} → ${c.to}: отправлено ${c.sent}, дошло ${c.received}, не дошло ${n}${which} (потери ${pct(n, c.sent).replace('.', ',')} %). Их никто не отправил повторно: в UDP нет подтверждений и повторной передачи.`,
        ),
      ]);
    }
  }
  if (f.echo.sessions > 0) {
    const same = f.echo.sent === f.echo.received;
    // Only the counts are compared here, never the content: say so.
    items.push([
      text(
        en
          ? `TCP echo: in ${inConns(f.echo.sessions)} the clients wrote ${count('en', f.echo.sent, 'byte')} and read back ${count('en', f.echo.received, 'byte')}${same ? ' — equal counts (the logs compare counts, not the bytes themselves)' : ''}.`
          : `Эхо по TCP: в ${inConns(f.echo.sessions)} клиенты записали ${count('ru', f.echo.sent, 'byte')} и прочитали обратно ${count('ru', f.echo.received, 'byte')}${same ? ' — счётчики равны (журналы сравнивают число байтов, а не сами байты)' : ''}.`,
      ),
    ]);
  }
  const r = f.retransmissions;
  if (r) {
    // A zero delay is "0 ms", not "0.0 ms"; otherwise one decimal, with a comma in Russian.
    const ms = r.delayMs === 0 ? '0' : r.delayMs.toFixed(1);
    const delay = en ? ms : ms.replace('.', ',');
    items.push([
      text(
        en
          ? `The server capture shows ${r.segments} TCP ${r.segments === 1 ? 'retransmission' : 'retransmissions'} (${count('en', r.bytes, 'byte')} of payload sent again) over ${conn(r.connections)}${r.segments > 0 ? `; delay caused by them: ${delay} ms` : ''}.${r.segments > 0 ? ' TCP acknowledges every byte and sends again what is not acknowledged: that is how it delivers across a lossy link.' : ''}`
          : `В захвате сервера повторных передач TCP: ${r.segments} (повторно отправлено ${count('ru', r.bytes, 'byte')} полезной нагрузки), соединений: ${r.connections}${r.segments > 0 ? `; задержка из-за них: ${delay} мс` : ''}.${r.segments > 0 ? ' TCP подтверждает каждый байт и повторяет неподтверждённое: так он доставляет данные через канал с потерями.' : ''}`,
      ),
    ]);
  } else {
    items.push([
      text(
        en
          ? 'No server capture: the TCP retransmissions cannot be counted.'
          : 'Захвата сервера нет: повторные передачи TCP посчитать нельзя.',
      ),
    ]);
  }
  return [...out.map((p) => paragraph(p)), ...(items.length > 0 ? [list(items)] : [])];
}
