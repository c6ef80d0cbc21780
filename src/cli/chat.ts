import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { nickFromName, signGreeting } from '../classroom/signature.js';
import { LabError, errorFields, localizeError } from '../errors.js';
import type { ClientCloseReason } from '../log/events.js';
import { visible } from '../text/escape.js';
import { NUMBERED_INTERVAL_MS, NUMBERED_TEMPLATE, numberedLines } from '../text/numbered.js';
import { screenIn } from '../text/screen.js';
import { CHAT_CLIENT_DEFAULTS, type ChatClient, type ChatEvent, joinChat } from '../udp/chat-client.js';
import { type ChatProtocol, defaultChatProtocol } from '../udp/plain.js';
import { startPlainChat } from '../udp/plain-client.js';
import {
  type LogCliOptions,
  collect,
  logOptions,
  makeLogger,
  onStopSignal,
  parseCount,
  parseHost,
  parsePort,
  reportError,
  parseChatProtocol,
} from './common.js';
import { type StudentCliOptions, studentOptions } from './student.js';
import { attachHint, createTerminal } from './terminal.js';

interface ChatCliOptions extends LogCliOptions, StudentCliOptions {
  host: string;
  port: number;
  nick?: string;
  say: string[];
  waitMembers: number;
  count: number;
  template: string;
  attempts: number;
  protocol: ChatProtocol;
}

export function chatCommand(): Command {
  const cmd = new Command('chat')
    .description('UDP chat client: lines typed go to every other member; their messages appear here')
    .addOption(
      new Option('--host <address>', 'server address')
        .default(CHAT_CLIENT_DEFAULTS.host)
        .env('LAB_SERVER_HOST')
        .argParser(parseHost),
    )
    .addOption(
      new Option('--port <port>', 'server UDP port')
        .default(CHAT_CLIENT_DEFAULTS.port)
        .env('LAB_UDP_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option(
        '--nick <name>',
        'your nickname: 1 to 16 letters, digits, "_" or "-" (default: made from --student)',
      ).env('LAB_NICK'),
    )
    .addOption(
      new Option('--say <line>', 'send this message first (repeatable), then read standard input')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        '--wait-members <n>',
        'before the --say messages, wait (up to 60 s) until the chat has n members',
      )
        .default(1)
        .argParser(parseCount(1, 256)),
    )
    .addOption(
      new Option(
        '--count <n>',
        'after the --say messages, send n numbered messages (--template), 100 ms apart',
      )
        .default(0)
        .argParser(parseCount(0, 10_000)),
    )
    .addOption(
      new Option('--template <text>', 'the numbered messages: {i} is the number, {n} the count').default(
        NUMBERED_TEMPLATE,
      ),
    )
    .addOption(
      new Option(
        '--attempts <n>',
        'send each joining step (HELLO, JOIN) up to n times, 1 s apart, before giving up',
      )
        .default(CHAT_CLIENT_DEFAULTS.attempts)
        .argParser(parseCount(1, 100)),
    )
    .addOption(
      new Option(
        '--protocol <name>',
        'lab (join with a cookie handshake) or plain (the course\'s: each line goes as one "nick: text" datagram; docs/protocol.md)',
      )
        .argParser(parseChatProtocol)
        .default(defaultChatProtocol())
        .env('LAB_CHAT_PROTOCOL'),
    );
  for (const opt of [...studentOptions(), ...logOptions()]) cmd.addOption(opt);
  return cmd.action(async (o: ChatCliOptions) => {
    const nick = o.nick ?? nickFromName(o.student) ?? `user-${process.pid % 10000}`;
    const screen = screenIn(o.lang);
    const term = createTerminal(process.stdin, process.stdout, {
      attachHint: () => attachHint(screen('chat-client', { nick }), o.lang),
    });
    const { log, flush } = makeLogger(
      o,
      2,
      term.interactive ? { write: (l) => term.print(l.trimEnd()) } : undefined,
    );
    let members = 0;
    const memberWaiters = new Set<() => void>();
    const show = (e: ChatEvent) => {
      switch (e.type) {
        case 'message':
          term.print(`<${e.nick}> ${visible(e.text)}`);
          break;
        case 'joined':
          members++;
          term.print(screen('member-joined', { nick: e.nick }));
          break;
        case 'left':
          members--;
          term.print(screen('member-left', { nick: e.nick, reason: e.reason }));
          break;
        case 'lost':
          term.print(screen('server-lost', { reason: e.reason }));
          break;
        case 'rejoined':
          members = e.members;
          term.print(screen('rejoined', { members: e.members }));
          break;
        case 'line':
          term.print(visible(e.line));
          break;
      }
      for (const w of memberWaiters) w();
    };
    let client: ChatClient | undefined;
    // One stop for every path (exit, end of input, a signal, even one while joining), run once.
    let finishing: Promise<void> | undefined;
    const finish = (why: ClientCloseReason) =>
      (finishing ??= (async () => {
        term.close();
        await client?.leave(why);
        await flush();
      })());
    onStopSignal(() => finish('signal'));
    try {
      client =
        o.protocol === 'plain'
          ? await startPlainChat({ host: o.host, port: o.port, nick, onEvent: show, log })
          : await joinChat({ host: o.host, port: o.port, nick, attempts: o.attempts, onEvent: show, log });
      members = client.membersAtJoin;
    } catch (err) {
      term.close();
      if (err instanceof LabError) log.emit('client.error', errorFields(err));
      await flush();
      reportError('chat', err, o.lang);
      return;
    }
    const joined = client;
    term.print(
      attachHint(
        o.protocol === 'plain'
          ? screen('chat-plain-started', { server: joined.server, nick, local: joined.local })
          : screen('chat-joined', { server: joined.server, nick, local: joined.local, members }),
        o.lang,
      ),
    );
    let reason: ClientCloseReason = 'end-of-input';
    try {
      // The plain protocol never tells how many members there are: --wait-members cannot apply.
      if (o.protocol !== 'plain' && o.say.length + o.count > 0 && members < o.waitMembers) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          const check = () => {
            if (members >= o.waitMembers) {
              clearTimeout(timer);
              memberWaiters.delete(check);
              resolve();
            }
          };
          memberWaiters.add(check);
        });
      }
      for (const line of o.say) joined.send(signGreeting(line, o.student, o.group));
      for (const line of numberedLines(o.template, o.count)) {
        await sleep(NUMBERED_INTERVAL_MS);
        try {
          joined.send(line);
        } catch (err) {
          // A LabError (too long, not in the chat) is the user's: said, and the chat goes on.
          if (!(err instanceof LabError)) throw err;
          term.print(`* ${localizeError(err, o.lang)}`);
        }
      }
      for await (const line of term.lines()) {
        if (line.trim() === 'exit') {
          reason = 'user-exit';
          break;
        }
        try {
          joined.send(line);
        } catch (err) {
          // A LabError (too long, not in the chat) is the user's: said, and the chat goes on.
          if (!(err instanceof LabError)) throw err;
          term.print(`* ${localizeError(err, o.lang)}`);
        }
      }
    } catch (err) {
      reportError('chat', err, o.lang);
    }
    await finish(term.interrupted ? 'signal' : reason);
  });
}
