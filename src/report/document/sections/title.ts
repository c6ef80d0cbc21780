/** The title block (student, group, date, what ran) and the goal of the work. */
import { code, heading, join, prose, strong, table, text } from '../build.js';
import type { Block, Inline } from '../model.js';
import { type Ctx, L, P, clock, day, own, zoneOf } from './context.js';
import { ownServes, replaced } from '../../own-facts.js';

/** Title block values; unset ones become marked placeholders. */
export interface TitleInfo {
  student?: string | undefined;
  group?: string | undefined;
}

export function titleBlock(c: Ctx, title: TitleInfo): Block[] {
  const { lang, model } = c;
  const records = model.timeline.records;
  const placeholder = (what: string, env: string, flag: string): Inline[] => [
    strong(text(`[${L(lang, `not set: ${what}`, `не указано: ${what}`)}]`)),
    ...prose` (${L(lang, 'set', 'задайте')} ${code(env)} ${L(lang, 'in .env or', 'в .env или')} ${code(flag)})`,
  ];
  const student = title.student?.trim()
    ? [text(title.student.trim())]
    : placeholder(L(lang, 'student', 'ФИО студента'), 'LAB_STUDENT', '--student');
  const group = title.group?.trim()
    ? [text(title.group.trim())]
    : placeholder(L(lang, 'group', 'группа'), 'LAB_GROUP', '--group');
  const first = records[0]?.time;
  const last = records[records.length - 1]?.time;
  const date =
    first === undefined ? '-' : `${day(first)}, ${clock(first)}–${clock(last ?? first)} ${zoneOf(first)}`;
  const rep = replaced(model);
  const ownRoles: Record<string, [string, string]> = {
    'echo-server': ['your echo server', 'ваш эхо-сервер'],
    'echo-client': ['your echo client', 'ваш эхо-клиент'],
    'chat-server': ['your chat server', 'ваш чат-сервер'],
    'chat-client': ['your chat client', 'ваш чат-клиент'],
  };
  const ownRan = own(c).runs.map((r) => {
    const [en, ru] = ownRoles[r.role] ?? [r.role, r.role];
    const where =
      r.scenario && r.scenario !== 'server'
        ? L(lang, `, scenario ${r.scenario}`, `, сценарий ${r.scenario}`)
        : '';
    return prose`${code(r.source)} (${L(lang, en, ru)}${where})`;
  });
  const ran = model.programs.map((p) => {
    const role =
      p.kind === 'server'
        ? rep.tcp && rep.udp
          ? L(
              lang,
              'the lab’s server: stepped aside for your echo and chat servers',
              'сервер стенда: уступил место вашим эхо-серверу и чат-серверу',
            )
          : rep.tcp
            ? L(
                lang,
                'UDP chat server; its TCP echo stepped aside for your echo server',
                'чат-сервер UDP; эхо-сервер TCP уступил место вашему',
              )
            : rep.udp
              ? L(
                  lang,
                  'TCP echo server; its UDP chat stepped aside for your chat server',
                  'эхо-сервер TCP; чат-сервер UDP уступил место вашему',
                )
              : L(lang, 'TCP echo and UDP chat server', 'эхо-сервер TCP и чат-сервер UDP')
        : p.kind === 'chat-client'
          ? L(lang, `chat client, scenario ${p.scenario ?? '-'}`, `чат-клиент, сценарий ${p.scenario ?? '-'}`)
          : L(
              lang,
              `echo client, scenario ${p.scenario ?? '-'}`,
              `эхо-клиент, сценарий ${p.scenario ?? '-'}`,
            );
    return prose`${code(p.label)} (${role})`;
  });
  return [
    table(
      [L(lang, 'Field', 'Поле'), L(lang, 'Value', 'Значение')],
      [
        [L(lang, 'Student', 'Студент'), student],
        [L(lang, 'Group', 'Группа'), group],
        [L(lang, 'Date of the run', 'Дата запуска'), date],
        [
          L(lang, 'What was run', 'Что запускалось'),
          ran.length + ownRan.length > 0 ? join([...ran, ...ownRan]) : L(lang, 'nothing', 'ничего'),
        ],
      ],
    ),
  ];
}

export function goal(c: Ctx): Block[] {
  const { lang } = c;
  // With the student's echo server serving, the lab's 64 KiB reads are not this run's: say theirs (main task 1).
  const theirs = ownServes(c.model, own(c));
  const en = theirs
    ? '(in this run your own server did: see main task 1)'
    : '(the lab’s server does not read 1 KB at a time, Node offers no way to: it reads up to 64 KiB at a time and logs each read in portions of at most 1 KB; see main task 1)';
  const ru = theirs
    ? '(в этом запуске — ваш сервер, см. п. 1 основного задания)'
    : '(сервер стенда не читает по 1 КБ — Node этого не позволяет: он читает до 64 КиБ за раз и записывает каждое чтение в журнал порциями не больше 1 КБ, см. п. 1 основного задания)';
  return [
    heading(2, L(lang, 'Goal', 'Цель работы')),
    P(
      lang,
      `Learn how programs talk over TCP and UDP sockets: a TCP echo server that, as the assignment asks, handles what a client sends in portions of 1 KB and returns it ${en}, a TCP client that sends lines typed by its user, and a multi-user chat over UDP; see which address the server sees when the client is on the same machine, on a virtual machine’s network, and on another network. Here the virtual machine and the other network are played by containers, each in its own network namespace, joined by Docker networks and a router container.`,
      `Изучить обмен данными между программами через сокеты TCP и UDP: эхо-сервер TCP, который, как требует задание, обрабатывает присланное клиентом порциями по 1 КБ и возвращает ${ru}, TCP-клиент, отправляющий строки, введённые пользователем, и многопользовательский чат на UDP; увидеть, какой адрес видит сервер, когда клиент работает на той же машине, в сети виртуальной машины и в другой сети. Виртуальную машину и другую сеть здесь заменяют контейнеры, каждый в своём сетевом пространстве имён, соединённые сетями Docker и контейнером-маршрутизатором.`,
    ),
  ];
}
