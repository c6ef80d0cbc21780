import { parseSource } from '../report/parse.js';
import { lazyLines } from '../report/sources.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LANGS, type Lang } from '../text/lang.js';
import {
  type CaptureInput,
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
        // The one reader of lab logs (report/): it skips what is not a whole, valid log line.
        const parsed = await parseSource(o.log, lazyLines(o.log));
        const records = parsed.records.map((r) => ({ event: r.event, fields: r.fields }));
        portions = socketPortionsFromLog(records);
        const tcpPort = o.serverPort?.[0];
        crossCheck = crossCheckBytes(
          s.flows,
          socketCountsFromLog(records),
          tcpPort ? { serverPort: tcpPort } : {},
        );
      }
      process.stdout.write(
        explainWire({
          lang: o.lang,
          captures: inputs,
          ...(o.serverPort ? { serverPorts: o.serverPort } : {}),
          ...(hop ? { hop } : {}),
          ...(crossCheck ? { crossCheck } : {}),
          ...(portions ? { portions } : {}),
        }),
      );
      if (inputs.some((i) => !i.result?.ok) || (crossCheck && !crossCheck.ok)) process.exitCode = 1;
    });
}
