import { type FlowOptions, type Flows, createFlowBuilder } from './flows.js';
import { type CaptureResult, readCaptureFile } from './pcap.js';

export interface AnalysedCapture {
  /** The read result; its `packets` are empty (they were streamed into the flows), `packetCount` is exact. */
  result: CaptureResult;
  /** The flows of every packet read, also of the part before a problem (a cut-off file). */
  flows: Flows;
}

/**
 * Reads a capture file and groups it into flows in one streaming pass: no packet list is kept, and
 * the flows keep at most `maxRecords` records per direction, so memory stays bounded on big files.
 * This is what the report calls for each capture.
 */
export async function analyseCaptureFile(path: string, options: FlowOptions = {}): Promise<AnalysedCapture> {
  const builder = createFlowBuilder(options);
  const result = await readCaptureFile(path, { onPacket: (p) => builder.add(p) });
  return { result, flows: builder.flows() };
}
