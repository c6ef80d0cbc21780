/**
 * Findings as sentences, in English and Russian. Each problem ends with what to change: the
 * `.env` setting and a value that was free on this host.
 */
import type { Lang } from '../text/lang.js';
import type { Finding, Severity } from './checks.js';
import type { SettingName, SettingSource } from './settings.js';

type Text = Record<Lang, string>;

/** Where a setting is changed, in words. */
function whereText(source: SettingSource | undefined): Text {
  switch (source) {
    case 'env':
      return { en: 'your environment (it overrides .env)', ru: 'переменных окружения (они важнее .env)' };
    case 'no-dotenv':
      return { en: '.env (cp .env.example .env)', ru: '.env (cp .env.example .env)' };
    default:
      return { en: '.env', ru: '.env' };
  }
}

const d = (f: Finding, key: string): string => f.detail?.[key] ?? '?';

/** Headline and explanation lines of each finding, by code. */
function describe(f: Finding): Text[] {
  const sv = `${f.setting}=${f.value}`;
  switch (f.code) {
    case 'docker-unreachable':
      return [
        { en: `no Docker engine answers: ${d(f, 'reason')}`, ru: `Docker не отвечает: ${d(f, 'reason')}` },
        {
          en: 'Start Docker (Docker Desktop, or: sudo systemctl start docker) and run socket-lab doctor again.',
          ru: 'Запустите Docker (Docker Desktop или: sudo systemctl start docker) и повторите socket-lab doctor.',
        },
      ];
    case 'engine':
      return [
        {
          en: `Docker engine ${d(f, 'version')} on ${d(f, 'engine')} (${d(f, 'engine') === 'Docker Desktop' ? 'Docker Desktop' : 'a Linux engine, not Docker Desktop'}), CPU ${d(f, 'engineArch')} (this machine: ${d(f, 'hostArch')})`,
          ru: `Docker ${d(f, 'version')} на ${d(f, 'engine')} (${d(f, 'engine') === 'Docker Desktop' ? 'Docker Desktop' : 'движок на Linux, не Docker Desktop'}), процессор ${d(f, 'engineArch')} (эта машина: ${d(f, 'hostArch')})`,
        },
        ...(d(f, 'engine') === 'Docker Desktop'
          ? [
              {
                en: "The Docker host is Desktop's Linux VM: the lab's gateways and published ports live there, so the address the server sees may differ from Linux.",
                ru: 'Docker-хост здесь — виртуальная машина Docker Desktop: шлюзы сетей лабораторной и опубликованные порты находятся в ней, поэтому сервер может видеть другие адреса, чем на Linux.',
              },
            ]
          : []),
      ];
    case 'rootless':
      return [
        {
          en: 'rootless Docker: published ports go through its own forwarder, so the server may see another address for remote clients than the lab report expects',
          ru: 'Docker без root: опубликованные порты проходят через его собственный пересыльщик, и сервер может видеть у удалённых клиентов другой адрес, чем ждёт отчёт',
        },
      ];
    case 'compose-missing':
      return [
        { en: `Docker Compose is missing: ${d(f, 'reason')}`, ru: `нет Docker Compose: ${d(f, 'reason')}` },
        {
          en: 'Install the Compose plugin (https://docs.docker.com/compose/install/); `docker compose version` must work.',
          ru: 'Установите плагин Compose (https://docs.docker.com/compose/install/); должна работать команда `docker compose version`.',
        },
      ];
    case 'compose-v1':
      return [
        {
          en: `\`${d(f, 'command')}\` is Compose v1 (${d(f, 'version')}), which reached end of life in 2023: the lab still works with it, but install Compose v2 (the \`docker compose\` plugin)`,
          ru: `\`${d(f, 'command')}\` — это Compose v1 (${d(f, 'version')}), его поддержка закончилась в 2023 году: лабораторная с ним работает, но установите Compose v2 (плагин \`docker compose\`)`,
        },
      ];
    case 'compose-version':
      return [
        {
          en: `Compose ${d(f, 'version')} (${d(f, 'command')})`,
          ru: `Compose ${d(f, 'version')} (${d(f, 'command')})`,
        },
      ];
    case 'config-failed':
      return [
        {
          en: `Compose cannot read the lab's configuration: ${d(f, 'reason')}`,
          ru: `Compose не может прочитать конфигурацию лабораторной: ${d(f, 'reason')}`,
        },
        {
          en: 'Run `docker compose config` in the lab folder to see the whole message; fix the value in .env it names.',
          ru: 'Запустите `docker compose config` в папке лабораторной, чтобы увидеть сообщение целиком, и исправьте названное значение в .env.',
        },
      ];
    case 'setting-missing':
      return [
        {
          en: `docker-compose.yml no longer has the place of ${f.setting}: the doctor cannot check it`,
          ru: `в docker-compose.yml больше нет места для ${f.setting}: проверить его нельзя`,
        },
      ];
    case 'not-a-subnet':
      return [{ en: `${sv} is not an IPv4 subnet`, ru: `${sv} — не подсеть IPv4` }];
    case 'subnet-too-small':
      return [
        {
          en: `${sv} is too small: the server sits at its .10 address and Docker needs room for a gateway and the clients (use a /24)`,
          ru: `${sv} слишком мала: сервер занимает адрес .10, а Docker нужно место для шлюза и клиентов (возьмите /24)`,
        },
      ];
    case 'subnet-host-bits':
      return [
        {
          en: `${sv} has host bits set; it means the network ${f.suggestion}, and newer Docker engines refuse the other spelling`,
          ru: `в ${sv} заданы биты узла; это сеть ${f.suggestion}, и новые версии Docker такую запись отвергают`,
        },
      ];
    case 'not-an-address':
      return [{ en: `${sv} is not an IPv4 address`, ru: `${sv} — не адрес IPv4` }];
    case 'address-outside-subnet':
      return [
        {
          en: `${sv} is not inside ${d(f, 'subnetSetting')}=${d(f, 'subnet')}`,
          ru: `${sv} не входит в ${d(f, 'subnetSetting')}=${d(f, 'subnet')}`,
        },
      ];
    case 'address-reserved': {
      const role: Text =
        d(f, 'role') === 'network'
          ? { en: 'the network address', ru: 'адрес самой сети' }
          : d(f, 'role') === 'broadcast'
            ? { en: 'the broadcast address', ru: 'широковещательный адрес' }
            : {
                en: "the address Docker gives the network's gateway",
                ru: 'адрес, который Docker отдаёт шлюзу сети',
              };
      return [
        {
          en: `${sv} is ${role.en} of ${d(f, 'subnetSetting')}=${d(f, 'subnet')}: no container can have it`,
          ru: `${sv} — ${role.ru} в ${d(f, 'subnetSetting')}=${d(f, 'subnet')}: контейнер не может его получить`,
        },
      ];
    }
    case 'not-a-port':
      return [
        { en: `${sv} is not a port number (1 to 65535)`, ru: `${sv} — не номер порта (от 1 до 65535)` },
      ];
    case 'lab-subnets-overlap':
      return [
        {
          en: `${sv} overlaps ${f.collidesWith}: the vm and wan networks must be separate`,
          ru: `${sv} пересекается с ${f.collidesWith}: сети vm и wan должны быть разными`,
        },
      ];
    case 'subnet-overlaps-network':
      return [
        {
          en: `${sv} overlaps the Docker network "${f.collidesWith}" (${d(f, 'subnet')}): Docker would refuse it ("Pool overlaps with other one on this address space")`,
          ru: `${sv} пересекается с сетью Docker "${f.collidesWith}" (${d(f, 'subnet')}): Docker её не создаст ("Pool overlaps with other one on this address space")`,
        },
        {
          en: `Or remove that network if you no longer need it: docker network rm ${f.collidesWith}`,
          ru: `Или удалите ту сеть, если она больше не нужна: docker network rm ${f.collidesWith}`,
        },
      ];
    case 'own-network-changed':
      return [
        {
          en: `the lab's network ${f.collidesWith} still has the subnet ${f.suggestion} from an earlier run, but ${sv}: Compose would reuse the old network as it is`,
          ru: `сеть лабораторной ${f.collidesWith} осталась с прошлого запуска с подсетью ${f.suggestion}, а ${sv}: Compose возьмёт старую сеть как есть`,
        },
        {
          en: 'Remove the old lab first: docker compose down (then up again).',
          ru: 'Сначала удалите старую лабораторную: docker compose down (затем снова up).',
        },
      ];
    case 'own-network-foreign':
      return [
        {
          en: `a Docker network named ${f.collidesWith} exists but Compose did not make it as this lab's network: Compose would refuse it ("network ${f.collidesWith} was found but has incorrect label")`,
          ru: `сеть Docker ${f.collidesWith} уже есть, но Compose создавал её не как сеть этой лабораторной: Compose откажет ("network ${f.collidesWith} was found but has incorrect label")`,
        },
        {
          en: `Or remove it if you no longer need it: docker network rm ${f.collidesWith}`,
          ru: `Или удалите её, если она не нужна: docker network rm ${f.collidesWith}`,
        },
      ];
    case 'own-network-other-project':
      return [
        {
          en: `the network ${f.collidesWith} belongs to the Compose project "${d(f, 'project')}", not "${d(f, 'current')}": the lab shares it, and \`docker compose down\` here does not remove it (use \`docker compose -p ${d(f, 'project')} down\`)`,
          ru: `сеть ${f.collidesWith} принадлежит проекту Compose "${d(f, 'project')}", а не "${d(f, 'current')}": лабораторная делит её, и \`docker compose down\` отсюда её не удалит (используйте \`docker compose -p ${d(f, 'project')} down\`)`,
        },
      ];
    case 'subnet-overlaps-route':
      return [
        {
          en: `${sv} overlaps this host's route ${f.collidesWith} (a LAN or VPN): the lab works, but its containers cannot reach hosts in that range`,
          ru: `${sv} пересекается с маршрутом этой машины ${f.collidesWith} (локальная сеть или VPN): лабораторная работает, но её контейнеры не достанут узлы из этого диапазона`,
        },
      ];
    case 'port-busy': {
      const who = f.collidesWith ? f.collidesWith : null;
      const proto = d(f, 'proto').toUpperCase();
      return [
        {
          en: `${proto} port ${f.value} on this host is in use${who ? ` by ${who}` : ' by another program'}: Docker could not publish the server's port there ("address already in use")`,
          ru: `${proto}-порт ${f.value} на этой машине занят${who ? `: ${who}` : ' другой программой'}; Docker не сможет опубликовать там порт сервера ("address already in use")`,
        },
        {
          en: `Docker binds 0.0.0.0, so even a program on 127.0.0.1:${f.value} blocks it; or stop that program.`,
          ru: `Docker занимает 0.0.0.0, поэтому мешает даже программа на 127.0.0.1:${f.value}; или остановите её.`,
        },
      ];
    }
    case 'port-published':
      return [
        {
          en: `${d(f, 'proto').toUpperCase()} port ${f.value} is published by the container ${f.collidesWith}: Docker would refuse it ("port is already allocated")`,
          ru: `${d(f, 'proto').toUpperCase()}-порт ${f.value} уже опубликован контейнером ${f.collidesWith}: Docker откажет ("port is already allocated")`,
        },
      ];
    case 'port-unchecked':
      return [
        {
          en: `${sv}: could not test the ${d(f, 'proto').toUpperCase()} port (ports below 1024 need root here); Docker may still find it busy`,
          ru: `${sv}: не удалось проверить ${d(f, 'proto').toUpperCase()}-порт (порты ниже 1024 требуют root); Docker может найти его занятым`,
        },
      ];
    case 'lab-running':
      return [
        {
          en: `${sv}: published by the lab's own server (${f.collidesWith}), which is running`,
          ru: `${sv}: его публикует сервер самой лабораторной (${f.collidesWith}), он запущен`,
        },
      ];
    case 'impair-statistic':
      return [
        {
          en: "the kernel can drop packets at random (iptables 'statistic' match): wan loss can be impaired",
          ru: 'ядро умеет отбрасывать пакеты случайно (iptables, модуль statistic): потери на wan можно включить',
        },
      ];
    case 'no-statistic':
      return [
        {
          en: `no random packet drop (iptables 'statistic' match) ${d(f, 'state') === 'no' ? 'in this kernel' : 'found'}: ${d(f, 'reason')}; the lab runs, but without loss on the wan link`,
          ru: `случайного отбрасывания пакетов (iptables, модуль statistic) ${d(f, 'state') === 'no' ? 'в этом ядре нет' : 'не найдено'}: ${d(f, 'reason')}; лабораторная работает, но без потерь на wan`,
        },
      ];
    case 'impair-netem':
      return [
        {
          en: 'the kernel has the netem qdisc: delay, jitter and loss on the wan link work',
          ru: 'в ядре есть дисциплина netem: задержка, джиттер и потери на wan работают',
        },
      ];
    case 'no-netem':
      return [
        {
          en: `no netem qdisc ${d(f, 'state') === 'no' ? 'in this kernel' : 'found'} (${d(f, 'reason')}): the lab runs, but the wan link cannot get delay or jitter; random loss needs iptables 'statistic' instead`,
          ru: `дисциплины netem ${d(f, 'state') === 'no' ? 'в этом ядре нет' : 'не найдено'} (${d(f, 'reason')}): лабораторная работает, но задержку и джиттер на wan не добавить; случайные потери — через iptables statistic`,
        },
      ];
    case 'settings-ok':
      return [
        {
          en: `settings fit this host: vm ${d(f, 'vm')} (server ${d(f, 'server')}), wan ${d(f, 'wan')} (gateway ${d(f, 'gateway')}), published tcp ${d(f, 'tcp')}, udp ${d(f, 'udp')}`,
          ru: `настройки подходят этой машине: vm ${d(f, 'vm')} (сервер ${d(f, 'server')}), wan ${d(f, 'wan')} (шлюз ${d(f, 'gateway')}), опубликованы tcp ${d(f, 'tcp')}, udp ${d(f, 'udp')}`,
        },
      ];
  }
}

/** "Set LAB_VM_SUBNET in .env to 198.18.9.0/24, and LAB_SERVER_IP to 198.18.9.10." */
function fixText(f: Finding, sources: Partial<Record<SettingName, SettingSource>>): Text | undefined {
  if (!f.setting || f.severity === 'info') return undefined;
  const where = whereText(sources[f.setting]);
  const also = f.alsoSet ?? [];
  const alsoEn = also.map((a) => `, and ${a.setting} to ${a.value}`).join('');
  const alsoRu = also.map((a) => `, а ${a.setting} — ${a.value}`).join('');
  if (f.code === 'own-network-changed') {
    return {
      en: `Or set ${f.setting} in ${where.en} back to ${f.suggestion}.`,
      ru: `Или верните ${f.setting} в ${where.ru} к ${f.suggestion}.`,
    };
  }
  if (f.code === 'subnet-host-bits') {
    return {
      en: `Set ${f.setting} in ${where.en} to ${f.suggestion} (the same network).`,
      ru: `Задайте ${f.setting} в ${where.ru} значение ${f.suggestion} (та же сеть).`,
    };
  }
  if (f.suggestion === undefined) {
    return {
      en: `Set ${f.setting} in ${where.en} to another value (the doctor found no free one to suggest).`,
      ru: `Задайте ${f.setting} в ${where.ru} другое значение (свободного для подсказки не нашлось).`,
    };
  }
  return {
    en: `Set ${f.setting} in ${where.en} to ${f.suggestion} (free here)${alsoEn}.`,
    ru: `Задайте ${f.setting} в ${where.ru} значение ${f.suggestion} (здесь оно свободно)${alsoRu}.`,
  };
}

const LABEL: Record<Severity, Text> = {
  problem: { en: 'PROBLEM', ru: 'ПРОБЛЕМА' },
  warning: { en: 'warning', ru: 'предупреждение' },
  info: { en: 'ok', ru: 'ok' },
};

/** A finding as text: the headline, then the explanation and what to change, one per line. */
export function findingLines(
  f: Finding,
  lang: Lang,
  sources: Partial<Record<SettingName, SettingSource>>,
): { label: string; headline: string; more: string[] } {
  const [head, ...rest] = describe(f);
  const fix = fixText(f, sources);
  // What to change comes before the alternatives ("or remove that network"), except where
  // the change is itself the alternative.
  const fixes = fix ? [fix] : [];
  const ordered = f.code === 'own-network-changed' ? [...rest, ...fixes] : [...fixes, ...rest];
  const more = ordered.map((t) => t[lang]);
  return { label: LABEL[f.severity][lang], headline: head![lang], more };
}
