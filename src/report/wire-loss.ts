/**
 * Control question 5 with this run's numbers: UDP loses messages, TCP repeats segments. Which
 * numbered chat messages never arrived (from the chat clients' and the server's logs) and the loss
 * rate, against the echo's bytes (all delivered, or not) with the TCP retransmissions the capture
 * shows and the time they cost. A Markdown block the document places under question 5.
 */
import type { Lang } from '../log/events.js';
import { retransmissionsOf } from '../wire/index.js';
import { type ChatSession, type LabModel, numField } from './aggregate.js';
import type { LogRecord } from './parse.js';
import { code, list, paragraph, prose, text } from './document/build.js';
import type { Block, Inline } from './document/model.js';
import type { WireAnalysis } from './wire-section.js';

/** The command that impairs the remote clients' link, for a run that had no loss. */
export const LOSS_COMMAND = 'LAB_WAN_LOSS=30 docker compose up';

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
  impaired: boolean;
  /** From the router's `router.*` lines: the loss percent it applied, when it said. */
  lossPercent: number | undefined;
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
    impaired: router.length > 0 || lost || (retransmissions?.segments ?? 0) > 0,
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
  if (!f.impaired || lost.length === 0) {
    const chatTotal = f.chat.reduce((n, c) => n + c.sent, 0);
    out.push(
      en
        ? prose`In this run no chat message was lost${chatTotal > 0 ? ` (${chatTotal} sent across networks, all arrived)` : ''}${f.impaired ? ' although the link was impaired' : ': the link was not impaired'}. To see UDP lose messages while TCP repeats its segments, run ${code(LOSS_COMMAND)} and make the report again.`
        : prose`В этом запуске ни одно сообщение чата не потерялось${chatTotal > 0 ? ` (между сетями отправлено ${chatTotal}, дошли все)` : ''}${f.impaired ? ', хотя канал был ухудшен' : ': потерь в канале не было'}. Чтобы увидеть, как UDP теряет сообщения, а TCP повторяет сегменты, запустите ${code(LOSS_COMMAND)} и постройте отчёт заново.`,
    );
  } else {
    if (f.lossPercent !== undefined)
      out.push([
        text(
          en
            ? `The router dropped packets of the remote link at random (${f.lossPercent} % each way).`
            : `Маршрутизатор случайно отбрасывал пакеты удалённого канала (${f.lossPercent} % в каждую сторону).`,
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
            : `Чат по UDP ${c.from} → ${c.to}: отправлено ${c.sent}, дошло ${c.received}, не дошло ${n}${which} (потери ${pct(n, c.sent)} %). Их никто не отправил повторно: в UDP нет подтверждений и повторной передачи.`,
        ),
      ]);
    }
  }
  if (f.echo.sessions > 0) {
    const all = f.echo.sent === f.echo.received;
    items.push([
      text(
        en
          ? `TCP echo: ${f.echo.sent} bytes sent, ${f.echo.received} received back${all ? ', every byte' : ''} in ${f.echo.sessions} connection(s).`
          : `Эхо по TCP: отправлено ${f.echo.sent} байт, обратно получено ${f.echo.received}${all ? ' — каждый байт' : ''}; соединений: ${f.echo.sessions}.`,
      ),
    ]);
  }
  const r = f.retransmissions;
  if (r) {
    items.push([
      text(
        en
          ? `The server capture shows ${r.segments} TCP retransmission(s) (${r.bytes} payload bytes sent again) over ${r.connections} connection(s); waiting for them cost ${r.delayMs.toFixed(1)} ms.${r.segments > 0 ? ' TCP acknowledges every byte and sends again what is not acknowledged: that is how it delivers across a lossy link.' : ''}`
          : `В захвате сервера ${r.segments} повторных передач TCP (повторно отправлено ${r.bytes} байт полезной нагрузки) в ${r.connections} соединениях; ожидание их стоило ${r.delayMs.toFixed(1)} мс.${r.segments > 0 ? ' TCP подтверждает каждый байт и повторяет неподтверждённое: так он доставляет данные через канал с потерями.' : ''}`,
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
