import { parseSource } from '../report/parse.js';
import { lazyLines } from '../report/sources.js';
import { LabError } from '../errors.js';
import { reportError } from './common.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LANGS, type Lang } from '../text/lang.js';
import { visible } from '../text/escape.js';
import {
  type CaptureInput,
  FLOW_DEFAULTS,
  type UntrackedCounts,
  type CrossCheck,
  type HopRelation,
  analyseCaptureFile,
  crossCheckBytes,
  explainWire,
  relateCaptures,
  socketCountsFromLog,
  socketPortionsFromLog,
  type SocketPortions,
} from '../wire/index.js';

/** Most bytes `wire` prints: the explanation of the flows kept (FLOW_DEFAULTS.maxFlows) fits well within. */
export const MAX_WIRE_OUTPUT = 4 * 1024 * 1024;

/**
 * What reaches the terminal: every line through visible() (file names and anything a capture
 * holds are shown, never acted on), and at most MAX_WIRE_OUTPUT bytes, then one line that says so.
 */
export function terminalText(text: string, lang: Lang): string {
  const lines = text.split('\n').map(visible);
  let bytes = 0;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > MAX_WIRE_OUTPUT) {
      const rest = lines.length - i;
      out.push(
        lang === 'ru'
          ? `(вывод обрезан на ${MAX_WIRE_OUTPUT / 1048576} МиБ: не показано строк: ${rest})`
          : `(output cut at ${MAX_WIRE_OUTPUT / 1048576} MiB: ${rest} more lines not shown)`,
      );
      break;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** One sentence for the flows past the cap, with their exact counts; empty when there were none. */
function untrackedNote(name: string, u: UntrackedCounts | undefined, lang: Lang): string {
  if (!u || u.packets === 0) return '';
  return lang === 'ru'
    ? `Захват ${name}: потоков больше ${FLOW_DEFAULTS.maxFlows} (TCP-соединений или UDP-обменов); остальные только подсчитаны: пакетов ${u.packets}, из них попыток соединения (SYN) ${u.syns}, UDP-дейтаграмм ${u.datagrams}, байт данных ${u.bytes}.`
    : `Capture ${name}: more than ${FLOW_DEFAULTS.maxFlows} flows (TCP connections or UDP conversations); the rest are only counted: ${u.packets} packets, of them ${u.syns} connection attempts (SYN) and ${u.datagrams} UDP datagrams, ${u.bytes} payload bytes.`;
}

interface WireCliOptions {
  lang: Lang;
  serverPort?: number[];
  log?: string;
}

function parsePorts(value: string): number[] {
  const ports = value.split(',').map((s) => Number(s.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw new InvalidArgumentError('expected comma-separated ports from 1 to 65535, e.g. 7007,7008.');
  }
  return ports;
}

/** `socket-lab wire SERVER.pcap [CLIENT.pcap]`: the "On the wire" explanation of one or two captures. */
export function wireCommand(): Command {
  return new Command('wire')
    .description(
      'explain a packet capture (pcap/pcapng): handshakes, segments, teardown, datagrams; with a second capture from the client side of a hop, what the hop did (NAT or proxy)',
    )
    .argument('<server-capture>', "capture taken on the server's side")
    .argument('[client-capture]', "capture taken on the client's side of a forwarding hop")
    .addOption(new Option('--lang <lang>', 'language').choices(LANGS).default('en').env('LAB_LANG'))
    .addOption(
      new Option('--server-port <ports>', 'only traffic of these server ports, e.g. 7007,7008').argParser(
        parsePorts,
      ),
    )
    .option('--log <file>', "the server's JSON log: compare its byte counts with the capture")
    .action(async (server: string, client: string | undefined, o: WireCliOptions) => {
      const inputs: CaptureInput[] = [];
      for (const name of client ? [server, client] : [server]) {
        const { result, flows } = await analyseCaptureFile(name);
        inputs.push({ name, result, flows });
      }
      const [s, c] = inputs;
      let hop: HopRelation | undefined;
      if (s?.flows && c?.flows)
        hop = relateCaptures(c.flows, s.flows, o.serverPort ? { serverPorts: o.serverPort } : {});
      let crossCheck: CrossCheck | undefined;
      let portions: Map<string, SocketPortions> | undefined;
      if (o.log && s?.flows) {
        // The one reader of lab logs (report/): it skips what is not a whole, valid log line, and
        // refuses a log past its bounds with one sentence (exit 2), like `report`.
        let parsed;
        try {
          parsed = await parseSource(o.log, lazyLines(o.log));
        } catch (err) {
          if (!(err instanceof LabError)) throw err;
          reportError('wire', err, o.lang);
          return;
        }
        const records = parsed.records.map((r) => ({ event: r.event, fields: r.fields }));
        portions = socketPortionsFromLog(records);
        const tcpPort = o.serverPort?.[0];
        crossCheck = crossCheckBytes(
          s.flows,
          socketCountsFromLog(records),
          tcpPort ? { serverPort: tcpPort } : {},
        );
      }
      const text = explainWire({
        lang: o.lang,
        captures: inputs,
        ...(o.serverPort ? { serverPorts: o.serverPort } : {}),
        ...(hop ? { hop } : {}),
        ...(crossCheck ? { crossCheck } : {}),
        ...(portions ? { portions } : {}),
      });
      const notes = inputs.map((i) => untrackedNote(i.name, i.flows?.untracked, o.lang)).filter(Boolean);
      process.stdout.write(terminalText([text.trimEnd(), ...notes].join('\n\n') + '\n', o.lang));
      if (inputs.some((i) => !i.result?.ok) || (crossCheck && !crossCheck.ok)) process.exitCode = 1;
    });
}
