/**
 * Conclusions drawn from this run's own figures (addresses the server saw per scenario, byte counts
 * of the echo, chat messages across networks), then the checks in one line. Not a checklist: the
 * checks are in the appendix with their evidence.
 */
import { count } from '../../../text/plural.js';
import { numField as num } from '../../aggregate.js';
import { TEXTS } from '../../texts.js';
import { code, heading, join, list, prose, text } from '../build.js';
import { checkCounts, passedInPart } from '../../check.js';
import { titleRuns } from './appendix.js';
import type { Block, Inline } from '../model.js';
import { type Ctx, L, P, bytes, own } from './context.js';
import { strField as str } from '../../aggregate.js';

const hostOf = (endpoint: string | undefined) => (endpoint ?? '?').replace(/:\d+$/, '');

export function conclusions(c: Ctx): Block[] {
  const { lang, checks, model } = c;
  const t = TEXTS[lang];
  const items: Inline[][] = [];

  // 1. Which address the server saw, per scenario: the lab's point.
  // In the course's order (local, vm, remote), whatever order the logs came in.
  const rank = (x: string) => {
    const i = ['local', 'vm', 'remote'].indexOf(x);
    return i < 0 ? 3 : i;
  };
  const scenarios = [...new Set(model.echo.map((s) => s.scenario))].sort((a, b) => rank(a) - rank(b));
  for (const scenario of scenarios) {
    const seen = model.echo.filter((s) => s.scenario === scenario && s.local && s.server?.remote);
    if (seen.length === 0) continue;
    const s = seen[0];
    if (!s) continue;
    const own = hostOf(s.local);
    const saw = hostOf(s.server?.remote);
    const same = own === saw;
    items.push(
      L(
        lang,
        prose`${code(scenario)}: the client’s own address was ${code(own)}, the server saw ${code(saw)}${same ? ' — the same: no address translation on the way' : ' — another address: something on the way (the lab’s router) translated it'}.`,
        prose`${code(scenario)}: локальный адрес клиента — ${code(own)}, сервер увидел ${code(saw)}${same ? ' — тот же: по дороге адрес не транслировался' : ' — другой адрес: по дороге его заменил промежуточный узел (маршрутизатор стенда)'}.`,
      ),
    );
  }

  // 2. The echo: counts, said as counts.
  const ended = model.echo.filter((s) => s.disconnected);
  if (ended.length > 0) {
    const sent = ended.reduce((n, s) => n + (num(s.disconnected, 'bytesSent') ?? 0), 0);
    const got = ended.reduce((n, s) => n + (num(s.disconnected, 'bytesReceived') ?? 0), 0);
    const n = ended.length;
    const conns = L(
      lang,
      count('en', n, 'connection'),
      `${n} ${n % 10 === 1 && n % 100 !== 11 ? 'соединении' : 'соединениях'}`,
    );
    items.push(
      sent === got
        ? L(
            lang,
            prose`TCP echo: over ${conns} the clients wrote ${bytes(lang, sent)} and read back as many. The logs compare counts, not the bytes themselves; that the same bytes came back, in order, is what TCP promises; the starts of the lines and of their echoes are under “What each terminal showed”.`,
            prose`Эхо по TCP: в ${conns} клиенты записали ${bytes(lang, sent)} и столько же прочитали обратно. Журналы сравнивают число байтов, а не сами байты; что вернулись те же байты и в том же порядке, гарантирует TCP; начала строк и их эха — в разделе «Что показал терминал каждой программы».`,
          )
        : L(
            lang,
            prose`TCP echo: over ${conns} the clients wrote ${bytes(lang, sent)} but read back ${bytes(lang, got)}: a connection ended before its echo came back (see the checks).`,
            prose`Эхо по TCP: в ${conns} клиенты записали ${bytes(lang, sent)}, а прочитали обратно ${bytes(lang, got)}: соединение закончилось раньше, чем вернулось эхо (см. проверки).`,
          ),
    );
  }

  // 3. The chat: messages sent and copies received across networks.
  const sentMsgs = model.chat.flatMap((s) => s.records.filter((r) => r.event === 'chat.message.sent'));
  const gotMsgs = model.chat.flatMap((s) => s.records.filter((r) => r.event === 'chat.message.received'));
  if (sentMsgs.length > 0) {
    const scenarios = [...new Set(model.chat.filter((s) => s.joined).map((s) => s.scenario))];
    items.push(
      L(
        lang,
        prose`UDP chat: members of ${join(scenarios.map((x) => code(x)))} sent ${count(lang, sentMsgs.length, 'message')} and received ${count(lang, gotMsgs.length, 'message')} relayed by the server (one datagram per message and per receiver).`,
        prose`Чат по UDP: участники сценариев ${join(scenarios.map((x) => code(x)))} отправили ${count(lang, sentMsgs.length, 'message')} и получили от сервера ${count(lang, gotMsgs.length, 'message')} (по дейтаграмме на каждое сообщение и каждого получателя).`,
      ),
    );
  }

  // 4. The server: one process, one thread, how many at once.
  const maxOpen = model.conns.reduce((m, x) => Math.max(m, num(x.accepted, 'open') ?? 0), 0);
  if (model.conns.length > 0)
    items.push(
      L(
        lang,
        prose`One server process served ${count(lang, model.conns.length, 'connection')} and ${count(lang, model.members.length, 'member')} of the chat (in one thread with non-blocking sockets, as strace shows for this server: see question 3); the most TCP connections open at once: ${maxOpen}.`,
        prose`Один процесс сервера обслужил ${count(lang, model.conns.length, 'connection')} и ${count(lang, model.members.length, 'member')} чата (в одном потоке на неблокирующих сокетах — так этот сервер работает по strace, см. вопрос 3); больше всего TCP-соединений было открыто одновременно: ${maxOpen}.`,
      ),
    );

  items.push(...ownItems(c));

  // Every check the report shows, the capture's included (checkCounts: the one computation).
  const extra = c.extraChecks ?? [];
  const counted = checkCounts([...checks, ...extra.map((x) => ({ ...x, findings: [] }))]);
  const passed = counted.pass;
  // Passed with parts this run did not test (checkCounts' `partial`): named, not counted as whole passes.
  const partly = checks.filter(passedInPart).map((x) => titleRuns(t, x.id));
  // After a list of names, a semicolon tells where it ends.
  const sep = partly.length > 0 ? '; ' : ', ';
  const quoted = (open: string, close: string) => join(partly.map((f) => [text(open), ...f, text(close)]));
  const failed = [
    ...checks.filter((x) => x.status === 'fail').map((x) => titleRuns(t, x.id)),
    ...extra.filter((x) => x.status === 'fail').map((x) => [text(x.title[lang])]),
  ];
  const na = counted.na;
  const stopped = model.servers[0]?.stopped;
  return [
    heading(2, L(lang, 'Conclusions', 'Выводы')),
    ...(items.length > 0
      ? [list(items)]
      : [
          P(
            lang,
            'The logs hold no connection to draw a conclusion from.',
            'В журналах нет соединений, из которых можно сделать выводы.',
          ),
        ]),
    P(
      lang,
      prose`Checks: ${passed} of ${counted.total} passed${partly.length > 0 ? prose`, ${partly.length} of them in part (with parts not tested in this run): ${quoted('“', '”')}` : []}${failed.length > 0 ? prose`${sep}failed: the ${failed.length === 1 ? 'check' : 'checks'} ${join(failed.map((f) => [text('“'), ...f, text('”')]))}` : []}${na > 0 ? `, ${na} not applicable (their part is missing from the logs)` : ''}${stopped ? '' : '; the server logged no stop'}. The appendix holds the evidence.`,
      prose`Проверки: пройдено ${passed} из ${counted.total}${partly.length > 0 ? prose`, из них частично — ${partly.length} (часть не проверялась в этом запуске): ${quoted('«', '»')}` : []}${failed.length > 0 ? prose`${sep}${failed.length === 1 ? 'не пройдена проверка' : 'не пройдены проверки'} ${join(failed.map((f) => [text('«'), ...f, text('»')]))}` : []}${na > 0 ? `, неприменимых: ${na} (их части в журналах нет)` : ''}${stopped ? '' : '; остановку сервер в журнал не записал'}. Доказательства — в приложении.`,
    ),
  ];
}

/** What the student's own programs showed, when they ran: addresses, echo, chat, concurrency. */
function ownItems(c: Ctx): Inline[][] {
  const { lang } = c;
  const o = own(c);
  const items: Inline[][] = [];
  const server = o.echoServer;
  if (server) {
    const order = ['local', 'vm', 'remote'];
    const rankOf = (x: string | undefined) => (order.indexOf(x ?? '') + 4) % 4;
    const conns = [...server.conns].sort((a, b) => rankOf(a.session?.scenario) - rankOf(b.session?.scenario));
    for (const x of conns) {
      const s = x.session;
      if (!s?.own || !s.local) continue;
      const mine = hostOf(s.local);
      const saw = hostOf(str(x.accept, 'peer'));
      items.push(
        L(
          lang,
          prose`${code(s.scenario)}: your client’s own address was ${code(mine)}, your server saw ${code(saw)}${mine === saw ? ' — the same: no address translation on the way' : ' — another address: the lab’s router translated it'}.`,
          prose`${code(s.scenario)}: локальный адрес вашего клиента — ${code(mine)}, ваш сервер увидел ${code(saw)}${mine === saw ? ' — тот же: по дороге адрес не транслировался' : ' — другой адрес: его заменил маршрутизатор стенда'}.`,
        ),
      );
    }
  }
  const lines = o.lines.filter((l) => l.session.own || server);
  if (lines.length > 0) {
    const sent = lines.reduce((n, l) => n + l.bytes, 0);
    const back = lines.reduce(
      (n, l) => n + l.clientReads.reduce((m, r) => m + (num(r, 'result') ?? num(r, 'bytes') ?? 0), 0),
      0,
    );
    items.push(
      L(
        lang,
        prose`TCP echo through your programs: ${count(lang, lines.length, 'line')} sent (${bytes(lang, sent)}), ${bytes(lang, back)} read back by the clients (counts from the traces).`,
        prose`Эхо по TCP через ваши программы: отправлено ${count(lang, lines.length, 'line')} (${bytes(lang, sent)}), клиенты прочитали обратно ${bytes(lang, back)} (по трассировкам).`,
      ),
    );
  }
  if (server && server.conns.length > 0)
    items.push(
      L(
        lang,
        prose`Your server accepted ${count(lang, server.conns.length, 'connection')}, ${server.maxOpen > 1 ? `up to ${server.maxOpen} open at once (exactly ${server.maxOpen} for a while)` : 'one at a time'}, ${server.waits[0] ? `waiting in ${server.waits[0].call}()` : 'without select/poll/epoll'}.`,
        prose`Ваш сервер принял ${count(lang, server.conns.length, 'connection')}, ${server.maxOpen > 1 ? `одновременно были открыты до ${server.maxOpen} (какое-то время — ровно ${server.maxOpen})` : 'по одному за раз'}, ${server.waits[0] ? `ожидание — в ${server.waits[0].call}()` : 'без select/poll/epoll'}.`,
      ),
    );
  if (o.chat.members.length > 0) {
    const scen = [...new Set(o.chat.clients.filter((x) => x.seen).map((x) => x.run.scenario ?? '-'))];
    items.push(
      L(
        lang,
        prose`UDP chat through your programs: your server heard ${count(lang, o.chat.members.length, { one: 'member', other: 'members' })}${scen.length > 0 ? prose` (${join(scen.map((x) => code(x)))})` : ''} and sent ${count(lang, o.chat.relays.length, { one: 'copy', other: 'copies' })} with sendto().`,
        prose`Чат по UDP через ваши программы: ваш сервер получал дейтаграммы от ${count(lang, o.chat.members.length, { one: 'участника', other: 'участников' })}${scen.length > 0 ? prose` (${join(scen.map((x) => code(x)))})` : ''} и отправил ${count(lang, o.chat.relays.length, { one: 'копию', few: 'копии', many: 'копий', other: 'копии' })} (по одному вызову sendto() на копию).`,
      ),
    );
  }
  return items;
}
