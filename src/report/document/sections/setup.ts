/**
 * The setup: what stood for the course's "virtual machine" and "remote machine" in this run
 * (containers, each in its own network namespace, and the router between the networks), the
 * address plan (each program's own address and the server's, from the logs), and the router's
 * rules from the router's own log lines. A teacher reads this before any figure below.
 */
import { strField as str, numField as num } from '../../aggregate.js';
import { addressOf, isLoopback } from '../../endpoint.js';
import type { LogRecord } from '../../parse.js';
import { code, heading, list, prose, table } from '../build.js';
import type { Block, Inline } from '../model.js';
import { type Ctx, L, P, cite, own } from './context.js';

const PURPOSE: Record<string, { en: string; ru: string }> = {
  dnat: {
    en: 'DNAT: the destination becomes the server',
    ru: 'DNAT: адрес назначения заменяется адресом сервера',
  },
  masquerade: {
    en: 'MASQUERADE: the source becomes the router’s vm address',
    ru: 'MASQUERADE: адрес отправителя заменяется адресом маршрутизатора в сети vm',
  },
  loss: { en: 'random loss', ru: 'случайные потери' },
  delay: { en: 'delay', ru: 'задержка' },
};

const hostOf = (endpoint: string | undefined) => (endpoint ?? '').replace(/:\d+$/, '');

export function setup(c: Ctx): Block[] {
  const { lang, model } = c;
  const records = model.timeline.records;
  const ready = records.find((r) => r.event === 'router.ready');
  const rules = records.filter((r) => r.event === 'router.rule.applied');
  const out: Block[] = [heading(2, L(lang, 'Setup', 'Стенд'))];
  out.push(
    ready
      ? P(
          lang,
          'The course speaks of a virtual machine and of a machine on another network. Here each is played by a Docker container: a process in its own network namespace, with its own interfaces, addresses, routing table and ports, so to the sockets it is a separate host. The server and the “virtual machine” clients are on one Docker network: a bridge on this host, a private network of the host and its containers, like a virtual machine’s network on its host (Docker also lets it out through the host’s NAT, which the lab does not use); the “remote” clients are on a second network (wan) and reach the server only through the router container, which is on both and forwards between them. The local client has a container of its own but shares the server’s network namespace (one machine), so it dials 127.0.0.1; the remote clients share one namespace too, the remote machine’s.',
          'В задании говорится о виртуальной машине и о машине в другой сети. Здесь их заменяют контейнеры Docker: процесс в собственном сетевом пространстве имён, со своими интерфейсами, адресами, таблицей маршрутизации и портами, поэтому для сокетов это отдельный хост. Сервер и клиенты «виртуальной машины» подключены к одной сети Docker — мосту на этом хосте, частной сети хоста и его контейнеров, как сеть виртуальной машины на её хосте (наружу Docker выпускает её через NAT хоста, но стенд этим не пользуется); «удалённые» клиенты — во второй сети (wan) и связываются с сервером только через контейнер-маршрутизатор, подключённый к обеим сетям и пересылающий пакеты между ними. У локального клиента свой контейнер, но сетевое пространство имён у него общее с сервером (одна машина), поэтому он подключается к 127.0.0.1; удалённые клиенты тоже делят одно пространство имён — «удалённой машины».',
        )
      : P(
          lang,
          'The logs name no router: the programs ran on the hosts listed below, without the lab’s containers.',
          'Маршрутизатора в журналах нет: программы работали на перечисленных ниже хостах, без контейнеров стенда.',
        ),
  );

  // The address plan: each program's own address, from its own log line.
  const rows: Inline[][][] = [];
  const server = model.servers[0];
  const accepted = model.conns.map((x) => x.accepted).find((r) => r !== undefined);
  // A student's own server: its accept() on a connection from another host gives its address on
  // the network (a connection over 127.0.0.1 would give only the loopback address).
  const ownAccepts = [...model.ownServer.values()].map((calls) => calls[0]).filter((r) => r !== undefined);
  const ownAccepted = ownAccepts.find((r) => !isLoopback(addressOf(str(r, 'local') ?? ''))) ?? ownAccepts[0];
  const serverAt = accepted ?? ownAccepted;
  if (server)
    rows.push([
      [code(server.program.label)],
      prose`${L(lang, 'server', 'сервер')}`,
      [code(server.program.hostname ?? '?')],
      serverAt && str(serverAt, 'local')
        ? prose`${code(hostOf(str(serverAt, 'local')))} (${cite(serverAt)})`
        : prose`-`,
    ]);
  if (ready)
    rows.push([
      [code(ready.hostname ?? 'router')],
      prose`${L(lang, 'router', 'маршрутизатор')}`,
      [code(ready.hostname ?? '?')],
      prose`wan ${code(str(ready, 'wan') ?? '?')}, vm ${code(str(ready, 'vm') ?? '?')} (${cite(ready)})`,
    ]);
  for (const s of [...model.echo, ...model.ownEcho.filter((x) => x.connected), ...model.chat]) {
    // The record that shows the address: the first of the session's with that `local` (a traced
    // connect() holds only the server's address; the client's own end shows on its later calls).
    const first: LogRecord | undefined =
      s.records.find((r) => s.local !== undefined && str(r, 'local') === s.local) ??
      ('connected' in s ? s.connected : s.joined);
    rows.push([
      [code(s.program.label)],
      prose`${s.scenario}`,
      [code(s.program.hostname ?? '?')],
      first && s.local ? prose`${code(hostOf(s.local))} (${cite(first)})` : prose`-`,
    ]);
  }
  // A student's own clients: the address from their traced calls (connect(), a chat's first sendto()).
  for (const x of own(c).chat.clients) {
    const first = x.sends[0];
    rows.push([
      [code(x.run.source)],
      prose`${x.run.scenario ?? '-'}`,
      [code(x.run.started.hostname ?? '?')],
      first && x.local ? prose`${code(hostOf(x.local))} (${cite(first)})` : prose`-`,
    ]);
  }
  if (rows.length > 0)
    out.push(
      P(lang, 'The address plan, from each program’s own lines:', 'План адресов — из строк самих программ:'),
      table(
        [
          L(lang, 'program', 'программа'),
          L(lang, 'role / scenario', 'роль / сценарий'),
          L(lang, 'hostname (in its log)', 'имя хоста (из журнала)'),
          L(lang, 'its address', 'её адрес'),
        ],
        rows,
      ),
    );
  // A student's client is named with its pid: say whose number it is, once, where it first shows.
  if (model.ownEcho.some((s) => s.connected && s.program.pid !== undefined))
    out.push(
      P(
        lang,
        'In the name of your echo client, “pid N” is the process id of your program as strace saw it inside its own container (your chat clients ran under strace too, but are named by their log alone). Each container numbers its processes separately, so the same number in two containers means two different processes; and the `pid` field of a log line is another process again: the lab’s runner, which started your program and wrote the log.',
        'В имени вашего эхо-клиента «pid N» — номер процесса вашей программы, каким его видел strace внутри её контейнера (ваши чат-клиенты тоже работали под strace, но названы только по своему журналу). В каждом контейнере процессы нумеруются отдельно, поэтому одинаковый номер в двух контейнерах — это два разных процесса; а поле `pid` строки журнала — ещё один процесс: программа запуска стенда, которая запустила вашу программу и записала журнал.',
      ),
    );

  // The router's rules, as it logged them.
  if (ready) {
    const loss = num(ready, 'lossPercent') ?? 0;
    const delay = num(ready, 'delayMs') ?? 0;
    out.push(
      P(
        lang,
        prose`The router forwards TCP ${code(`${str(ready, 'wan')}:${num(ready, 'tcpPort')}`)} and UDP ${code(`${str(ready, 'wan')}:${num(ready, 'udpPort')}`)} to the server ${code(str(ready, 'server') ?? '?')}; its link: loss ${loss} %, delay ${delay} ms each way (${cite(ready)}). Its rules, as it applied them:`,
        prose`Маршрутизатор пересылает TCP ${code(`${str(ready, 'wan')}:${num(ready, 'tcpPort')}`)} и UDP ${code(`${str(ready, 'wan')}:${num(ready, 'udpPort')}`)} серверу ${code(str(ready, 'server') ?? '?')}; его канал: потери ${loss} %, задержка ${delay} мс в каждую сторону (${cite(ready)}). Его правила в том виде, в каком он их применил:`,
      ),
    );
    if (rules.length > 0)
      out.push(
        list(
          rules.map((r) => {
            const purpose = str(r, 'purpose') ?? '?';
            const label = Object.hasOwn(PURPOSE, purpose) ? PURPOSE[purpose]?.[lang] : undefined;
            return prose`${code(str(r, 'command') ?? '?')} — ${label ?? code(purpose)} (${cite(r)})`;
          }),
        ),
      );
  }
  return out;
}
