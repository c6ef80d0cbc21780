import { type ChatSession, type EchoSession, type LabModel, strField as str } from './aggregate.js';
import { addressOf, isLoopback } from './endpoint.js';
import { mermaidText } from './mermaid.js';

/** A program or hop in the picture, with the addresses the logs show for it. */
export interface TopoNode {
  id: string;
  kind: 'server' | 'client' | 'hop';
  label: string;
  addresses: string[];
}

/** A leg of a path: who talked to whom, on which addresses. */
export interface TopoEdge {
  from: string;
  to: string;
  label: string;
}

/** The picture of one scenario's (or the whole run's) paths, from the logs only. */
export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
  /** Sets of addresses that talked directly to each other (one network or one host's loopback). */
  networks: string[][];
}

/** Words the picture needs, in the report's language. */
export interface TopoWords {
  hop: string;
  dials: (p: { to: string }) => string;
  from: (p: { from: string }) => string;
}

/**
 * The paths of `sessions` as the logs show them: each client, the address it dialed, and the
 * address the server saw. When the server saw another address than the client's own, something
 * stands between them; it is drawn as a hop with both of its addresses (the one the client dialed,
 * the one the server saw). What that hop is, the logs alone do not say; a router, a NAT or a proxy
 * all look like this, and the report's text says what the port numbers suggest.
 */
export function topology(
  model: LabModel,
  sessions: ReadonlyArray<EchoSession | ChatSession>,
  words: TopoWords,
): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const node = (id: string, kind: TopoNode['kind'], label: string): TopoNode => {
    let n = nodes.find((x) => x.id === id);
    if (!n) nodes.push((n = { id, kind, label, addresses: [] }));
    return n;
  };
  const addAddress = (n: TopoNode, a: string | undefined) => {
    if (a && !n.addresses.includes(a)) n.addresses.push(a);
  };
  const parent = new Map<string, string>();
  const find = (a: string): string => {
    const p = parent.get(a);
    if (p === undefined || p === a) return a;
    const root = find(p);
    parent.set(a, root);
    return root;
  };
  const join = (a: string | undefined, b: string | undefined) => {
    if (!a || !b) return;
    parent.set(a, parent.get(a) ?? a);
    parent.set(b, parent.get(b) ?? b);
    parent.set(find(a), find(b));
  };
  const edgeOnce = (e: TopoEdge) => {
    if (!edges.some((x) => x.from === e.from && x.to === e.to && x.label === e.label)) edges.push(e);
  };
  for (const s of sessions) {
    const isEcho = 'connected' in s;
    const started = isEcho ? s.connected : s.joined;
    if (!started) continue;
    const serverProgram = isEcho ? s.server?.program : s.member?.program;
    const server = node(
      `S:${serverProgram?.key ?? 'server'}`,
      'server',
      serverProgram
        ? `${serverProgram.label}${serverProgram.hostname ? ` (${serverProgram.hostname})` : ''}`
        : '?',
    );
    const client = node(
      `C:${s.program.key}`,
      'client',
      `${s.program.label}${!isEcho && s.nick ? ` (${s.nick})` : ''}`,
    );
    const own = s.local ? addressOf(s.local) : undefined;
    const dialed = isEcho ? s.remote : s.server;
    const seen = isEcho ? s.server?.remote : s.member?.remote;
    const serverLocal = isEcho ? str(s.server?.accepted, 'local') : undefined;
    addAddress(client, own);
    if (!seen || !dialed) {
      edgeOnce({ from: client.id, to: server.id, label: words.dials({ to: dialed ?? '?' }) });
      continue;
    }
    const seenAddr = addressOf(seen);
    if (own === seenAddr || (own && isLoopback(own) && isLoopback(seenAddr))) {
      // Nothing in between: the client's own address arrived at the server.
      addAddress(server, addressOf(dialed));
      join(own, addressOf(dialed));
      edgeOnce({ from: client.id, to: server.id, label: words.dials({ to: dialed }) });
      continue;
    }
    const hop = node(`H:${addressOf(dialed)}>${seenAddr}`, 'hop', words.hop);
    addAddress(hop, addressOf(dialed));
    addAddress(hop, seenAddr);
    addAddress(server, serverLocal ? addressOf(serverLocal) : undefined);
    join(own, addressOf(dialed));
    join(seenAddr, serverLocal ? addressOf(serverLocal) : undefined);
    edgeOnce({ from: client.id, to: hop.id, label: words.dials({ to: dialed }) });
    edgeOnce({
      from: hop.id,
      to: server.id,
      label: `${words.from({ from: seen })}${serverLocal ? ` → ${serverLocal}` : ''}`,
    });
  }
  const groups = new Map<string, string[]>();
  for (const a of parent.keys()) {
    const root = find(a);
    groups.set(root, [...(groups.get(root) ?? []), a]);
  }
  // Clients first, then hops, then servers: the picture reads from the client to the server.
  const rank = { client: 0, hop: 1, server: 2 } as const;
  nodes.sort((a, b) => rank[a.kind] - rank[b.kind]);
  return { nodes, edges, networks: [...groups.values()].map((g) => g.sort()) };
}

/** The picture as a Mermaid flowchart (GitHub and GitLab draw it). */
export function topologyMermaid(t: Topology): string {
  const ids = new Map(t.nodes.map((n, i) => [n.id, `N${i + 1}`]));
  const lines = ['flowchart LR'];
  for (const n of t.nodes) {
    const text = [n.label, ...n.addresses].map(mermaidText).join('<br/>');
    const shape = n.kind === 'hop' ? [`{{"`, `"}}`] : n.kind === 'server' ? ['[("', '")]'] : ['["', '"]'];
    lines.push(`  ${ids.get(n.id)}${shape[0]}${text}${shape[1]}`);
  }
  for (const e of t.edges) lines.push(`  ${ids.get(e.from)} -->|"${mermaidText(e.label)}"| ${ids.get(e.to)}`);
  return lines.join('\n');
}
