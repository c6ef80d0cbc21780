/**
 * The doctor's catalogue: each finding code to its sentences, one function of the finding per
 * language (src/text/catalogue.ts). Each problem ends with what to change: the `.env` setting and
 * a value that was free on this host.
 */
import { type Catalogue, type Sentence, sentence } from '../text/catalogue.js';
import type { Lang } from '../text/lang.js';
import type { Finding, FindingCode, Severity } from './checks.js';
import type { SettingName, SettingSource } from './settings.js';

/** Where a setting is changed, in words: the place `sources` says the value came from. */
const WHERE = {
  env: sentence(
    {},
    () => 'your environment (it overrides .env)',
    () => 'переменных окружения (они важнее .env)',
  ),
  'no-dotenv': sentence(
    {},
    () => '.env (cp .env.example .env)',
    () => '.env (cp .env.example .env)',
  ),
  dotenv: sentence(
    {},
    () => '.env',
    () => '.env',
  ),
} satisfies Catalogue;

const where = (source: SettingSource | undefined, lang: Lang) =>
  WHERE[source === 'env' || source === 'no-dotenv' ? source : 'dotenv'][lang]({});

/** What to change, after a problem's explanation. */
export const FIX_TEXTS = {
  'set-back': sentence(
    { setting: 'LAB_VM_SUBNET', where: '.env', value: '198.18.7.0/24' },
    (p) => `Or set ${p.setting} in ${p.where} back to ${p.value}.`,
    (p) => `Или верните ${p.setting} в ${p.where} к ${p.value}.`,
  ),
  'same-network': sentence(
    { setting: 'LAB_VM_SUBNET', where: '.env', value: '198.18.7.0/24' },
    (p) => `Set ${p.setting} in ${p.where} to ${p.value} (the same network).`,
    (p) => `Задайте ${p.setting} в ${p.where} значение ${p.value} (та же сеть).`,
  ),
  'no-suggestion': sentence(
    { setting: 'LAB_UDP_PUBLISH', where: '.env' },
    (p) => `Set ${p.setting} in ${p.where} to another value (the doctor found no free one to suggest).`,
    (p) => `Задайте ${p.setting} в ${p.where} другое значение (свободного для подсказки не нашлось).`,
  ),
  'set-free': sentence(
    {
      setting: 'LAB_VM_SUBNET',
      where: '.env',
      value: '198.18.9.0/24',
      also: [{ setting: 'LAB_SERVER_IP', value: '198.18.9.10' }] as { setting: string; value: string }[],
    },
    (p) =>
      `Set ${p.setting} in ${p.where} to ${p.value} (free here)${p.also.map((a) => `, and ${a.setting} to ${a.value}`).join('')}.`,
    (p) =>
      `Задайте ${p.setting} в ${p.where} значение ${p.value} (здесь оно свободно)${p.also.map((a) => `, а ${a.setting} — ${a.value}`).join('')}.`,
  ),
} satisfies Catalogue;

/** The label of each severity. */
export const SEVERITY_TEXTS = {
  problem: sentence(
    {},
    () => 'PROBLEM',
    () => 'ПРОБЛЕМА',
  ),
  warning: sentence(
    {},
    () => 'warning',
    () => 'предупреждение',
  ),
  info: sentence(
    {},
    () => 'ok',
    () => 'ok',
  ),
} satisfies Record<Severity, Sentence<object>>;

const d = (f: Finding, key: string): string => f.detail?.[key] ?? '?';
const sv = (f: Finding) => `${f.setting}=${f.value}`;
const desktop = (f: Finding) => d(f, 'engine') === 'Docker Desktop';
const proto = (f: Finding) => d(f, 'proto').toUpperCase();
const role = (f: Finding): 'network' | 'broadcast' | 'gateway' =>
  d(f, 'role') === 'network' ? 'network' : d(f, 'role') === 'broadcast' ? 'broadcast' : 'gateway';
const ROLE = {
  network: { en: 'the network address', ru: 'адрес самой сети' },
  broadcast: { en: 'the broadcast address', ru: 'широковещательный адрес' },
  gateway: {
    en: "the address Docker gives the network's gateway",
    ru: 'адрес, который Docker отдаёт шлюзу сети',
  },
} as const;

/** One line of a finding's text, one function of the finding per language. */
type Line = { readonly [L in Lang]: (f: Finding) => string };
const line = (en: (f: Finding) => string, ru: (f: Finding) => string): Line => ({ en, ru });

/**
 * A finding's text: the headline (the entry's own `en`/`ru`, as every catalogue has them), then the
 * lines that explain it (`more`; a line that renders empty is left out).
 */
export type FindingText = Sentence<Finding> & { readonly more: readonly Line[] };

/** Every value a finding's sentences show, so that the tests render each entry in full. */
const EXAMPLE: Finding = {
  severity: 'problem',
  code: 'settings-ok',
  setting: 'LAB_VM_SUBNET',
  value: '198.18.7.0/24',
  suggestion: '198.18.9.0/24',
  collidesWith: 'other-net',
  detail: {
    reason: 'Cannot connect to the Docker daemon',
    version: '27.3.1',
    engine: 'Docker Desktop',
    engineArch: 'aarch64',
    hostArch: 'arm64',
    command: 'docker-compose',
    subnetSetting: 'LAB_VM_SUBNET',
    subnet: '198.18.7.0/24',
    role: 'broadcast',
    proto: 'udp',
    project: 'old',
    current: 'socket-lab',
    state: 'no',
    vm: '198.18.7.0/24',
    server: '198.18.7.10',
    wan: '198.18.8.0/24',
    gateway: '198.18.8.1',
    tcp: '7007',
    udp: '7008',
  },
};

function finding(code: FindingCode, head: Line, ...more: Line[]): FindingText {
  return { example: { ...EXAMPLE, code }, en: head.en, ru: head.ru, more };
}

/** The doctor's catalogue: each finding code to its headline and explanation, in each language. */
export const DOCTOR_TEXTS: { readonly [K in FindingCode]: FindingText } = {
  'docker-unreachable': finding(
    'docker-unreachable',
    line(
      (f) => `no Docker engine answers: ${d(f, 'reason')}`,
      (f) => `Docker не отвечает: ${d(f, 'reason')}`,
    ),
    line(
      () => 'Start Docker (Docker Desktop, or: sudo systemctl start docker) and run socket-lab doctor again.',
      () =>
        'Запустите Docker (Docker Desktop или `sudo systemctl start docker`) и повторите `socket-lab doctor`.',
    ),
  ),
  engine: finding(
    'engine',
    line(
      (f) =>
        `Docker engine ${d(f, 'version')} on ${d(f, 'engine')} (${desktop(f) ? 'Docker Desktop' : 'a Linux engine, not Docker Desktop'}), CPU ${d(f, 'engineArch')} (this machine: ${d(f, 'hostArch')})`,
      (f) =>
        `Docker ${d(f, 'version')} на ${d(f, 'engine')} (${desktop(f) ? 'Docker Desktop' : 'движок на Linux, не Docker Desktop'}), процессор ${d(f, 'engineArch')} (эта машина: ${d(f, 'hostArch')})`,
    ),
    // Only on Docker Desktop: an empty sentence is no line.
    line(
      (f) =>
        desktop(f)
          ? "The Docker host is Desktop's Linux VM: the lab's gateways and published ports live there, so the address the server sees may differ from Linux."
          : '',
      (f) =>
        desktop(f)
          ? 'Docker-хост здесь — виртуальная машина Docker Desktop: шлюзы сетей лабораторной и опубликованные порты находятся в ней, поэтому сервер может видеть другие адреса, чем на Linux.'
          : '',
    ),
  ),
  rootless: finding(
    'rootless',
    line(
      () =>
        'rootless Docker: published ports go through its own forwarder, so the server may see another address for remote clients than the lab report expects',
      () =>
        'Docker без root: опубликованные порты проходят через его собственный пересыльщик, и сервер может видеть у удалённых клиентов другой адрес, чем ждёт отчёт',
    ),
  ),
  'compose-missing': finding(
    'compose-missing',
    line(
      (f) => `Docker Compose is missing: ${d(f, 'reason')}`,
      (f) => `нет Docker Compose: ${d(f, 'reason')}`,
    ),
    line(
      () =>
        'Install the Compose plugin (https://docs.docker.com/compose/install/); `docker compose version` must work.',
      () =>
        'Установите плагин Compose (https://docs.docker.com/compose/install/); должна работать команда `docker compose version`.',
    ),
  ),
  'compose-v1': finding(
    'compose-v1',
    line(
      (f) =>
        `\`${d(f, 'command')}\` is Compose v1 (${d(f, 'version')}), which reached end of life in 2023: the lab still works with it, but install Compose v2 (the \`docker compose\` plugin)`,
      (f) =>
        `\`${d(f, 'command')}\` — это Compose v1 (${d(f, 'version')}), его поддержка закончилась в 2023 году: лабораторная с ним работает, но установите Compose v2 (плагин \`docker compose\`)`,
    ),
  ),
  'compose-version': finding(
    'compose-version',
    line(
      (f) => `Compose ${d(f, 'version')} (${d(f, 'command')})`,
      (f) => `Compose ${d(f, 'version')} (${d(f, 'command')})`,
    ),
  ),
  'config-failed': finding(
    'config-failed',
    line(
      (f) => `Compose cannot read the lab's configuration: ${d(f, 'reason')}`,
      (f) => `Compose не может прочитать конфигурацию лабораторной: ${d(f, 'reason')}`,
    ),
    line(
      () =>
        'Run `docker compose config` in the lab folder to see the whole message; fix the value in .env it names.',
      () =>
        'Запустите `docker compose config` в папке лабораторной, чтобы увидеть сообщение целиком, и исправьте названное значение в .env.',
    ),
  ),
  'setting-missing': finding(
    'setting-missing',
    line(
      (f) => `docker-compose.yml no longer has the place of ${f.setting}: the doctor cannot check it`,
      (f) => `в docker-compose.yml больше нет места для ${f.setting}: проверить его нельзя`,
    ),
  ),
  'not-a-subnet': finding(
    'not-a-subnet',
    line(
      (f) => `${sv(f)} is not an IPv4 subnet`,
      (f) => `${sv(f)} — не подсеть IPv4`,
    ),
  ),
  'subnet-too-small': finding(
    'subnet-too-small',
    line(
      (f) =>
        `${sv(f)} is too small: the server sits at its .10 address and Docker needs room for a gateway and the clients (use a /24)`,
      (f) =>
        `${sv(f)} слишком мала: сервер занимает адрес .10, а Docker нужно место для шлюза и клиентов (возьмите /24)`,
    ),
  ),
  'subnet-host-bits': finding(
    'subnet-host-bits',
    line(
      (f) =>
        `${sv(f)} has host bits set; it means the network ${f.suggestion}, and newer Docker engines refuse the other spelling`,
      (f) =>
        `в ${sv(f)} заданы биты узла; это сеть ${f.suggestion}, и новые версии Docker такую запись отвергают`,
    ),
  ),
  'not-an-address': finding(
    'not-an-address',
    line(
      (f) => `${sv(f)} is not an IPv4 address`,
      (f) => `${sv(f)} — не адрес IPv4`,
    ),
  ),
  'address-outside-subnet': finding(
    'address-outside-subnet',
    line(
      (f) => `${sv(f)} is not inside ${d(f, 'subnetSetting')}=${d(f, 'subnet')}`,
      (f) => `${sv(f)} не входит в ${d(f, 'subnetSetting')}=${d(f, 'subnet')}`,
    ),
  ),
  'address-reserved': finding(
    'address-reserved',
    line(
      (f) =>
        `${sv(f)} is ${ROLE[role(f)].en} of ${d(f, 'subnetSetting')}=${d(f, 'subnet')}: no container can have it`,
      (f) =>
        `${sv(f)} — ${ROLE[role(f)].ru} в ${d(f, 'subnetSetting')}=${d(f, 'subnet')}: контейнер не может его получить`,
    ),
  ),
  'not-a-port': finding(
    'not-a-port',
    line(
      (f) => `${sv(f)} is not a port number (1 to 65535)`,
      (f) => `${sv(f)} — не номер порта (от 1 до 65535)`,
    ),
  ),
  'lab-subnets-overlap': finding(
    'lab-subnets-overlap',
    line(
      (f) => `${sv(f)} overlaps ${f.collidesWith}: the vm and wan networks must be separate`,
      (f) => `${sv(f)} пересекается с ${f.collidesWith}: сети vm и wan должны быть разными`,
    ),
  ),
  'subnet-overlaps-network': finding(
    'subnet-overlaps-network',
    line(
      (f) =>
        `${sv(f)} overlaps the Docker network "${f.collidesWith}" (${d(f, 'subnet')}): Docker would refuse it ("Pool overlaps with other one on this address space")`,
      (f) =>
        `${sv(f)} пересекается с сетью Docker "${f.collidesWith}" (${d(f, 'subnet')}): Docker её не создаст ("Pool overlaps with other one on this address space")`,
    ),
    line(
      (f) => `Or remove that network if you no longer need it: docker network rm ${f.collidesWith}`,
      (f) => `Или удалите ту сеть, если она больше не нужна: \`docker network rm ${f.collidesWith}\``,
    ),
  ),
  'own-image-default': finding(
    'own-image-default',
    line(
      (f) =>
        `LAB_IMAGE is ${d(f, 'labImage')}, but LAB_OWN_IMAGE is not set, so the containers that may run your programs use ${d(f, 'ownImage')}: \`docker compose build\` made ${d(f, 'labImage')}, and \`up\` stops with "no such image" (or runs an old ${d(f, 'ownImage')})`,
      (f) =>
        `LAB_IMAGE = ${d(f, 'labImage')}, а LAB_OWN_IMAGE не задан, поэтому контейнеры, где могут работать ваши программы, берут образ ${d(f, 'ownImage')}: \`docker compose build\` собрал ${d(f, 'labImage')}, и \`up\` остановится с ошибкой «no such image» (или запустит старый ${d(f, 'ownImage')})`,
    ),
    line(
      (f) =>
        `Set LAB_OWN_IMAGE=${d(f, 'labImage')} in .env as well (Compose v1 cannot make one setting default to another).`,
      (f) =>
        `Задайте в .env и LAB_OWN_IMAGE=${d(f, 'labImage')} (Compose v1 не умеет брать значение одной настройки по умолчанию из другой).`,
    ),
  ),
  'own-network-changed': finding(
    'own-network-changed',
    line(
      (f) =>
        `the lab's network ${f.collidesWith} still has the subnet ${f.suggestion} from an earlier run, but ${sv(f)}: Compose would reuse the old network as it is`,
      (f) =>
        `сеть лабораторной ${f.collidesWith} осталась с прошлого запуска с подсетью ${f.suggestion}, а ${sv(f)}: Compose возьмёт старую сеть как есть`,
    ),
    line(
      () => 'Remove the old lab first: docker compose down (then up again).',
      () => 'Сначала удалите старую лабораторную: `docker compose down` (затем снова `docker compose up`).',
    ),
  ),
  'own-network-foreign': finding(
    'own-network-foreign',
    line(
      (f) =>
        `a Docker network named ${f.collidesWith} exists but Compose did not make it as this lab's network: Compose would refuse it ("network ${f.collidesWith} was found but has incorrect label")`,
      (f) =>
        `сеть Docker ${f.collidesWith} уже есть, но Compose создавал её не как сеть этой лабораторной: Compose откажет ("network ${f.collidesWith} was found but has incorrect label")`,
    ),
    line(
      (f) => `Or remove it if you no longer need it: docker network rm ${f.collidesWith}`,
      (f) => `Или удалите её, если она не нужна: \`docker network rm ${f.collidesWith}\``,
    ),
  ),
  'own-network-other-project': finding(
    'own-network-other-project',
    line(
      (f) =>
        `the network ${f.collidesWith} belongs to the Compose project "${d(f, 'project')}", not "${d(f, 'current')}": the lab shares it, and \`docker compose down\` here does not remove it (use \`docker compose -p ${d(f, 'project')} down\`)`,
      (f) =>
        `сеть ${f.collidesWith} принадлежит проекту Compose "${d(f, 'project')}", а не "${d(f, 'current')}": лабораторная делит её, и \`docker compose down\` отсюда её не удалит (используйте \`docker compose -p ${d(f, 'project')} down\`)`,
    ),
  ),
  'subnet-overlaps-route': finding(
    'subnet-overlaps-route',
    line(
      (f) =>
        `${sv(f)} overlaps this host's route ${f.collidesWith} (a LAN or VPN): the lab works, but its containers cannot reach hosts in that range`,
      (f) =>
        `${sv(f)} пересекается с маршрутом этой машины ${f.collidesWith} (локальная сеть или VPN): лабораторная работает, но её контейнеры не достанут узлы из этого диапазона`,
    ),
  ),
  'port-busy': finding(
    'port-busy',
    line(
      (f) =>
        `${proto(f)} port ${f.value} on this host is in use${f.collidesWith ? ` by ${f.collidesWith}` : ' by another program'}: Docker could not publish the server's port there ("address already in use")`,
      (f) =>
        `${proto(f)}-порт ${f.value} на этой машине занят${f.collidesWith ? `: ${f.collidesWith}` : ' другой программой'}; Docker не сможет опубликовать там порт сервера ("address already in use")`,
    ),
    line(
      (f) =>
        `Docker binds 0.0.0.0, so even a program on 127.0.0.1:${f.value} blocks it; or stop that program.`,
      (f) =>
        `Docker занимает 0.0.0.0, поэтому мешает даже программа на 127.0.0.1:${f.value}; или остановите её.`,
    ),
  ),
  'port-published': finding(
    'port-published',
    line(
      (f) =>
        `${d(f, 'proto').toUpperCase()} port ${f.value} is published by the container ${f.collidesWith}: Docker would refuse it ("port is already allocated")`,
      (f) =>
        `${d(f, 'proto').toUpperCase()}-порт ${f.value} уже опубликован контейнером ${f.collidesWith}: Docker откажет ("port is already allocated")`,
    ),
  ),
  'port-unchecked': finding(
    'port-unchecked',
    line(
      (f) =>
        `${sv(f)}: could not test the ${d(f, 'proto').toUpperCase()} port (ports below 1024 need root here); Docker may still find it busy`,
      (f) =>
        `${sv(f)}: не удалось проверить ${d(f, 'proto').toUpperCase()}-порт (порты ниже 1024 требуют root); Docker может найти его занятым`,
    ),
  ),
  'lab-running': finding(
    'lab-running',
    line(
      (f) => `${sv(f)}: published by the lab's own server (${f.collidesWith}), which is running`,
      (f) => `${sv(f)}: его публикует сервер самой лабораторной (${f.collidesWith}), он запущен`,
    ),
  ),
  'impair-statistic': finding(
    'impair-statistic',
    line(
      () => "the kernel can drop packets at random (iptables 'statistic' match): wan loss can be impaired",
      () =>
        'ядро умеет отбрасывать пакеты случайно (iptables, модуль statistic): потери на wan можно включить',
    ),
  ),
  'no-statistic': finding(
    'no-statistic',
    line(
      (f) =>
        `no random packet drop (iptables 'statistic' match) ${d(f, 'state') === 'no' ? 'in this kernel' : 'found'}: ${d(f, 'reason')}; the lab runs, but without loss on the wan link`,
      (f) =>
        `случайного отбрасывания пакетов (iptables, модуль statistic) ${d(f, 'state') === 'no' ? 'в этом ядре нет' : 'не найдено'}: ${d(f, 'reason')}; лабораторная работает, но без потерь на wan`,
    ),
  ),
  'impair-netem': finding(
    'impair-netem',
    line(
      () => 'the kernel has the netem qdisc: delay, jitter and loss on the wan link work',
      () => 'в ядре есть дисциплина netem: задержка, джиттер и потери на wan работают',
    ),
  ),
  'no-netem': finding(
    'no-netem',
    line(
      (f) =>
        `no netem qdisc ${d(f, 'state') === 'no' ? 'in this kernel' : 'found'} (${d(f, 'reason')}): the lab runs, but the wan link cannot get delay or jitter; random loss needs iptables 'statistic' instead`,
      (f) =>
        `дисциплины netem ${d(f, 'state') === 'no' ? 'в этом ядре нет' : 'не найдено'} (${d(f, 'reason')}): лабораторная работает, но задержку и джиттер на wan не добавить; случайные потери — через iptables statistic`,
    ),
  ),
  'settings-ok': finding(
    'settings-ok',
    line(
      (f) =>
        `settings fit this host: vm ${d(f, 'vm')} (server ${d(f, 'server')}), wan ${d(f, 'wan')} (gateway ${d(f, 'gateway')}), published tcp ${d(f, 'tcp')}, udp ${d(f, 'udp')}`,
      (f) =>
        `настройки подходят этой машине: vm ${d(f, 'vm')} (сервер ${d(f, 'server')}), wan ${d(f, 'wan')} (шлюз ${d(f, 'gateway')}), опубликованы tcp ${d(f, 'tcp')}, udp ${d(f, 'udp')}`,
    ),
  ),
};

/** "Set LAB_VM_SUBNET in .env to 198.18.9.0/24, and LAB_SERVER_IP to 198.18.9.10." */
function fixText(f: Finding, sources: Partial<Record<SettingName, SettingSource>>): Line | undefined {
  const setting = f.setting;
  if (!setting || f.severity === 'info') return undefined;
  const at = (lang: Lang) => ({ setting, where: where(sources[setting], lang) });
  const suggestion = f.suggestion;
  if (f.code === 'own-network-changed')
    return line(
      () => FIX_TEXTS['set-back'].en({ ...at('en'), value: suggestion ?? '?' }),
      () => FIX_TEXTS['set-back'].ru({ ...at('ru'), value: suggestion ?? '?' }),
    );
  if (f.code === 'subnet-host-bits')
    return line(
      () => FIX_TEXTS['same-network'].en({ ...at('en'), value: suggestion ?? '?' }),
      () => FIX_TEXTS['same-network'].ru({ ...at('ru'), value: suggestion ?? '?' }),
    );
  if (suggestion === undefined)
    return line(
      () => FIX_TEXTS['no-suggestion'].en(at('en')),
      () => FIX_TEXTS['no-suggestion'].ru(at('ru')),
    );
  const also = f.alsoSet ?? [];
  return line(
    () => FIX_TEXTS['set-free'].en({ ...at('en'), value: suggestion, also }),
    () => FIX_TEXTS['set-free'].ru({ ...at('ru'), value: suggestion, also }),
  );
}

/** A finding as text: the headline, then the explanation and what to change, one per line. */
export function findingLines(
  f: Finding,
  lang: Lang,
  sources: Partial<Record<SettingName, SettingSource>>,
): { label: string; headline: string; more: string[] } {
  const entry = DOCTOR_TEXTS[f.code];
  const rest = entry.more.filter((l) => l[lang](f) !== '');
  const fix = fixText(f, sources);
  // What to change comes before the alternatives ("or remove that network"), except where
  // the change is itself the alternative.
  const fixes = fix ? [fix] : [];
  const ordered = f.code === 'own-network-changed' ? [...rest, ...fixes] : [...fixes, ...rest];
  const more = ordered.map((t) => t[lang](f));
  return { label: SEVERITY_TEXTS[f.severity][lang]({}), headline: entry[lang](f), more };
}
