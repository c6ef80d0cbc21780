import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Facts, type Finding, diagnose, exitCodeOf, portCandidates } from '../src/doctor/checks.ts';
import {
  canonicalIpv4,
  contains,
  freeSubnets,
  intToIpv4,
  ipv4Range,
  overlaps,
  parseCidr,
  roleInSubnet,
  type Cidr,
} from '../src/doctor/cidr.ts';
import { parseDockerNetworks, parseIpRoutes, parsePublishedPorts, parseSs } from '../src/doctor/host.ts';
import { findingLines } from '../src/doctor/messages.ts';
import { extractSettings } from '../src/doctor/settings.ts';
import { parseComposeYaml } from '../src/doctor/yaml.ts';
import { CLI, defer } from './helpers.ts';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  assert.ok(c, `${text} parses`);
  return c;
};

describe('cidr', () => {
  test('parses subnets and bare addresses, refuses the rest', () => {
    assert.deepEqual(parseCidr('198.18.7.0/24'), {
      text: '198.18.7.0/24',
      family: 'ipv4',
      address: '198.18.7.0',
      prefix: 24,
    });
    assert.equal(parseCidr('10.0.0.1')?.prefix, 32);
    assert.equal(parseCidr('fd00::/64')?.family, 'ipv6');
    for (const bad of ['198.18.7.0/33', '198.18.7/24', 'lab', '', '1.2.3.4/x', '::/129']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  test('overlap: nested, equal, disjoint, other family', () => {
    assert.ok(overlaps(cidr('198.18.0.0/15'), cidr('198.18.7.0/24')));
    assert.ok(overlaps(cidr('198.18.7.0/24'), cidr('198.18.7.5/32')));
    assert.ok(overlaps(cidr('198.18.7.0/24'), cidr('198.18.7.0/24')));
    assert.ok(!overlaps(cidr('198.18.7.0/24'), cidr('198.18.8.0/24')));
    assert.ok(!overlaps(cidr('0.0.0.0/0'), cidr('::/0')));
    assert.ok(overlaps(cidr('fd00::/8'), cidr('fd00:1::/64')));
  });

  test('overlap agrees with integer ranges for any two IPv4 subnets', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }))
      .map(([n, p]) => cidr(`${intToIpv4(n)}/${p}`));
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const ra = ipv4Range(a);
        const rb = ipv4Range(b);
        assert.equal(overlaps(a, b), ra.first <= rb.last && rb.first <= ra.last);
      }),
    );
  });

  test('roles of addresses in a subnet, as Docker hands them out', () => {
    const c = cidr('198.18.7.0/24');
    assert.equal(roleInSubnet(c, '198.18.7.0'), 'network');
    assert.equal(roleInSubnet(c, '198.18.7.1'), 'gateway');
    assert.equal(roleInSubnet(c, '198.18.7.10'), 'host');
    assert.equal(roleInSubnet(c, '198.18.7.255'), 'broadcast');
    assert.equal(roleInSubnet(c, '198.18.8.10'), 'outside');
    assert.ok(contains(c, '198.18.7.77') && !contains(c, 'fd00::1'));
    assert.equal(canonicalIpv4(cidr('198.18.7.5/24')), '198.18.7.0/24');
  });

  test('free subnets skip what is taken, including small routes inside a candidate', () => {
    const taken = [cidr('198.18.0.0/23'), cidr('198.18.2.77/32'), cidr('198.18.4.0/24')];
    assert.deepEqual(freeSubnets(taken, 3), ['198.18.3.0/24', '198.18.5.0/24', '198.18.6.0/24']);
    assert.deepEqual(freeSubnets([cidr('198.18.0.0/15')], 1), []);
    assert.equal(freeSubnets([], 600).length, 512, 'a /15 holds 512 /24s');
  });

  test('free subnets never overlap anything taken', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 2 ** 17 - 1 }), fc.integer({ min: 14, max: 32 }))
      .map(([n, p]) => cidr(`${intToIpv4(ipv4Range(cidr('198.18.0.0/15')).first + n)}/${p}`));
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 20 }), (taken) => {
        for (const s of freeSubnets(taken, 5)) {
          for (const t of taken) assert.ok(!overlaps(cidr(s), t), `${s} vs ${t.text}`);
        }
      }),
    );
  });
});

// Compose v1 (1.29) `config` output, cut down: indentless sequences, a multi-line quoted scalar.
const V1_YAML = `networks:
  vm:
    ipam:
      config:
      - subnet: 198.18.7.0/24
    name: lab-vm
  wan:
    ipam:
      config:
      - gateway: 198.18.8.1
        subnet: 198.18.8.0/24
    name: lab-wan
services:
  chat-remote:
    command:
    - chat
    - '7008'
    networks:
      wan: null
  server:
    container_name: lab-server
    healthcheck:
      test:
      - CMD
      - 'const fs = require(''fs''); const bound = (files, port, state) => files.some((f)
        => { try { return 1; } catch { return
        false; } });'
      timeout: 5s
    networks:
      vm:
        ipv4_address: 198.18.7.10
    ports:
    - protocol: tcp
      published: 7007
      target: 7007
    - protocol: udp
      published: 7008
      target: 7008
    "quoted key": {}
version: '3.9'
volumes:
  logs:
    name: lab-logs
`;

describe('settings from compose config', () => {
  test("reads Compose v1's YAML", () => {
    const y = parseComposeYaml(V1_YAML) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(y.version, '3.9');
    assert.deepEqual(y.services['chat-remote'].command, ['chat', '7008']);
    assert.equal(y.services['chat-remote'].networks.wan, null);
    assert.equal(
      y.services.server.healthcheck.test[1],
      "const fs = require('fs'); const bound = (files, port, state) => files.some((f) => { try { return 1; } catch { return false; } });",
    );
    assert.equal(y.services.server.healthcheck.timeout, '5s');
    assert.deepEqual(y.services.server['quoted key'], {});
    assert.deepEqual(extractSettings(y), {
      project: undefined,
      vmSubnet: '198.18.7.0/24',
      serverIp: '198.18.7.10',
      wanSubnet: '198.18.8.0/24',
      wanGateway: '198.18.8.1',
      tcpPublish: '7007',
      udpPublish: '7008',
      vmNetwork: 'lab-vm',
      wanNetwork: 'lab-wan',
      serverContainer: 'lab-server',
      labImage: undefined,
      ownImage: undefined,
    });
  });

  test("reads Compose v2's JSON (published ports as strings) and the short port form", () => {
    const v2 = {
      name: 'socket-lab',
      networks: { vm: { name: 'x-vm', ipam: { config: [{ subnet: '198.18.70.0/24' }] } } },
      services: {
        server: {
          container_name: 'x-server',
          networks: { vm: { ipv4_address: '198.18.70.10' } },
          ports: [
            { mode: 'ingress', target: 7007, published: '17007', protocol: 'tcp' },
            { mode: 'ingress', target: 7008, published: '17008', protocol: 'udp' },
          ],
        },
      },
    };
    const s = extractSettings(v2);
    assert.equal(s.project, 'socket-lab');
    assert.equal(s.tcpPublish, '17007');
    assert.equal(s.udpPublish, '17008');
    assert.equal(s.wanSubnet, undefined);
    const short = extractSettings({
      services: { server: { ports: ['127.0.0.1:9000:7007/tcp', '9001:7008/udp'] } },
    });
    assert.equal(short.tcpPublish, '9000');
    assert.equal(short.udpPublish, '9001');
  });
});

describe('host output parsers', () => {
  test('ip -j route: keeps subnets, drops default, local and broadcast', () => {
    const routes = parseIpRoutes(
      JSON.stringify([
        { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
        { dst: '172.17.0.0/16', dev: 'docker0', protocol: 'kernel' },
        { dst: '10.8.0.0/24', dev: 'wg0', table: '51820' },
        { type: 'local', dst: '192.0.2.2', dev: 'eth0', table: 'local' },
        { type: 'broadcast', dst: '192.0.2.255', dev: 'eth0', table: 'local' },
        { dst: '192.0.2.9', dev: 'tun0' },
        { dst: 'fd00::/64', dev: 'eth0' },
      ]),
    );
    assert.deepEqual(
      routes.map((r) => [r.dst.text, r.dev, r.table]),
      [
        ['172.17.0.0/16', 'docker0', undefined],
        ['10.8.0.0/24', 'wg0', '51820'],
        ['192.0.2.9', 'tun0', undefined],
        ['fd00::/64', 'eth0', undefined],
      ],
    );
    assert.equal(routes[2]!.dst.prefix, 32);
  });

  test('ss -Hlntup: protocol, address, port and process', () => {
    const ls = parseSs(
      [
        'udp   UNCONN 0      0      127.0.0.1:54679 0.0.0.0:* users:(("node",pid=7614,fd=19))',
        'tcp   LISTEN 0      128      0.0.0.0:2024  0.0.0.0:*',
        'tcp   LISTEN 0      4096        [::]:7007     [::]:*    users:(("docker-proxy",pid=9,fd=4),("docker-proxy",pid=9,fd=5))',
        'garbage',
      ].join('\n'),
    );
    assert.deepEqual(ls, [
      { proto: 'udp', local: '127.0.0.1:54679', port: 54679, process: 'node (pid 7614)' },
      { proto: 'tcp', local: '0.0.0.0:2024', port: 2024 },
      { proto: 'tcp', local: '[::]:7007', port: 7007, process: 'docker-proxy (pid 9)' },
    ]);
  });

  test('docker network inspect and docker ps', () => {
    const nets = parseDockerNetworks(
      JSON.stringify([
        {
          Name: 'bridge',
          Id: 'a'.repeat(64),
          Driver: 'bridge',
          IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] },
          Options: { 'com.docker.network.bridge.name': 'docker0' },
        },
        {
          Name: 'lab-vm',
          Id: 'b'.repeat(64),
          Driver: 'bridge',
          IPAM: { Config: [{ Subnet: '198.18.7.0/24' }] },
          Labels: { 'com.docker.compose.project': 'socket-lab' },
        },
        { Name: 'none', Id: 'c'.repeat(64), Driver: 'null', IPAM: { Config: null } },
      ]),
    );
    assert.deepEqual(
      nets.map((n) => [n.name, n.subnets.map((s) => s.text), n.bridge, n.project]),
      [
        ['bridge', ['172.17.0.0/16'], 'docker0', undefined],
        ['lab-vm', ['198.18.7.0/24'], `br-${'b'.repeat(12)}`, 'socket-lab'],
        ['none', [], undefined, undefined],
      ],
    );
    const ports = parsePublishedPorts(
      [
        JSON.stringify({
          Names: 'web',
          Ports: '0.0.0.0:7007->7007/tcp, :::7007->7007/tcp, 0.0.0.0:9000-9001->9000-9001/udp',
        }),
        JSON.stringify({ Names: 'quiet', Ports: '7008/udp' }),
      ].join('\n'),
    );
    assert.deepEqual(ports, [
      { container: 'web', proto: 'tcp', port: 7007 },
      { container: 'web', proto: 'udp', port: 9000 },
      { container: 'web', proto: 'udp', port: 9001 },
    ]);
  });
});

function facts(over: Partial<Facts> = {}): Facts {
  return {
    compose: { command: 'docker compose', version: '2.26.1' },
    engine: { serverVersion: '20.10.24', os: 'Debian', arch: 'x86_64', rootless: false, desktop: false },
    hostArch: 'x64',
    settings: extractSettings(parseComposeYaml(V1_YAML)),
    sources: { LAB_VM_SUBNET: 'dotenv', LAB_UDP_PUBLISH: 'env' },
    networks: parseDockerNetworks(
      JSON.stringify([{ Name: 'bridge', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } }]),
    ),
    routes: [],
    listeners: [],
    published: [],
    portProbe: { tcp: 'free', udp: 'free' },
    freePort: {},
    impair: {
      statistic: { state: 'yes' },
      netem: { state: 'no', reason: 'Specified qdisc kind is unknown' },
    },
    ...over,
  };
}

const LAB_WAN_LABELS = { 'com.docker.compose.network': 'wan' };
const problems = (fs: Finding[]) => fs.filter((f) => f.severity === 'problem');

describe('checks', () => {
  test('LAB_IMAGE set without LAB_OWN_IMAGE: a warning naming both images and the setting to add', () => {
    // As `docker compose config` (v1 and v2 alike) resolves docker-compose.yml with LAB_IMAGE=socket-lab:mine
    // only: Compose v1 cannot nest a default (`${LAB_OWN_IMAGE:-${LAB_IMAGE}}` stays literal there).
    const config = (own: string) => ({
      services: {
        server: { image: 'socket-lab:mine' },
        'own-echo-server': { image: own },
      },
    });
    const warned = diagnose(facts({ settings: extractSettings(config('socket-lab:local')) })).find(
      (f) => f.code === 'own-image-default',
    );
    assert.deepEqual(warned?.detail, { labImage: 'socket-lab:mine', ownImage: 'socket-lab:local' });
    assert.equal(warned?.severity, 'warning');
    const ru = findingLines(warned!, 'ru', {});
    assert.match(ru.headline, /LAB_IMAGE = socket-lab:mine, а LAB_OWN_IMAGE не задан/);
    assert.match(ru.more.join('\n'), /LAB_OWN_IMAGE=socket-lab:mine/);
    for (const own of ['socket-lab:mine', 'student:c'])
      assert.ok(
        !diagnose(facts({ settings: extractSettings(config(own)) })).some(
          (f) => f.code === 'own-image-default',
        ),
        own,
      );
  });

  test('a fitting setup: exit 0 even without netem (a warning), Compose v1 a warning', () => {
    const fs = diagnose(facts({ compose: { command: 'docker-compose', version: '1.29.2' } }));
    assert.equal(exitCodeOf(fs), 0);
    assert.deepEqual(
      fs.filter((f) => f.severity === 'warning').map((f) => f.code),
      ['compose-v1', 'no-netem'],
    );
    assert.ok(fs.some((f) => f.code === 'settings-ok'));
  });

  test('a subnet overlapping a Docker network names it and suggests a free subnet with its server address', () => {
    const networks = parseDockerNetworks(
      JSON.stringify([
        { Name: 'other', Driver: 'bridge', IPAM: { Config: [{ Subnet: '198.18.0.0/21' }] } },
        {
          Name: 'lab-wan',
          Driver: 'bridge',
          IPAM: { Config: [{ Subnet: '198.18.8.0/24' }] },
          Labels: LAB_WAN_LABELS,
        },
      ]),
    );
    const routes = parseIpRoutes(JSON.stringify([{ dst: '198.18.9.0/24', dev: 'wg0' }]));
    const fs = diagnose(facts({ networks, routes }));
    assert.equal(exitCodeOf(fs), 1);
    const [p, ...rest] = problems(fs);
    assert.equal(rest.length, 0);
    assert.equal(p!.code, 'subnet-overlaps-network');
    assert.equal(p!.setting, 'LAB_VM_SUBNET');
    assert.equal(p!.collidesWith, 'other');
    // 198.18.0-7 taken by "other", .8 by the lab's wan, .9 by a route: .10 is the first free one.
    assert.equal(p!.suggestion, '198.18.10.0/24');
    assert.deepEqual(p!.alsoSet, [{ setting: 'LAB_SERVER_IP', value: '198.18.10.10' }]);
    const text = findingLines(p!, 'en', { LAB_VM_SUBNET: 'dotenv' });
    assert.match(text.headline, /Docker network "other" \(198\.18\.0\.0\/21\)/);
    assert.equal(
      text.more[0],
      'Set LAB_VM_SUBNET in .env to 198.18.10.0/24 (free here), and LAB_SERVER_IP to 198.18.10.10.',
    );
    assert.match(
      findingLines(p!, 'ru', { LAB_VM_SUBNET: 'env' }).more[0]!,
      /^Задайте LAB_VM_SUBNET в переменных окружения/,
    );
    const route = fs.find((f) => f.code === 'subnet-overlaps-route');
    assert.equal(route, undefined, 'the route to 198.18.9.0/24 does not touch the lab');
  });

  test("the lab's own network with an old subnet says docker compose down; a LAN route only warns", () => {
    const networks = parseDockerNetworks(
      JSON.stringify([
        {
          Name: 'lab-vm',
          Driver: 'bridge',
          IPAM: { Config: [{ Subnet: '198.18.70.0/24' }] },
          Labels: { 'com.docker.compose.network': 'vm' },
        },
      ]),
    );
    const routes = parseIpRoutes(
      JSON.stringify([
        { dst: '198.18.8.0/22', dev: 'tun0' },
        { dst: '198.18.7.0/24', dev: 'br-0123456789ab' },
      ]),
    );
    const fs = diagnose(facts({ networks, routes }));
    assert.deepEqual(
      problems(fs).map((f) => [f.code, f.setting, f.collidesWith, f.suggestion]),
      [['own-network-changed', 'LAB_VM_SUBNET', 'lab-vm', '198.18.70.0/24']],
    );
    const warn = fs.filter((f) => f.code === 'subnet-overlaps-route');
    assert.deepEqual(
      warn.map((f) => [f.setting, f.collidesWith]),
      [['LAB_WAN_SUBNET', '198.18.8.0/22 dev tun0']],
    );
  });

  test('busy and published ports name the holder and a free port; our running lab is fine', () => {
    const fs = diagnose(
      facts({
        listeners: parseSs('udp UNCONN 0 0 127.0.0.1:7008 0.0.0.0:* users:(("nc",pid=42,fd=3))'),
        portProbe: { tcp: 'busy', udp: 'busy' },
        published: [{ container: 'lab-server', proto: 'tcp', port: 7007 }],
        freePort: { udp: 17008 },
      }),
    );
    assert.deepEqual(
      problems(fs).map((f) => [f.code, f.setting, f.collidesWith, f.suggestion]),
      [['port-busy', 'LAB_UDP_PUBLISH', 'nc (pid 42) on 127.0.0.1:7008', '17008']],
    );
    assert.ok(fs.some((f) => f.code === 'lab-running' && f.setting === 'LAB_TCP_PUBLISH'));
    const text = findingLines(problems(fs)[0]!, 'en', { LAB_UDP_PUBLISH: 'env' });
    assert.equal(
      text.more[0],
      'Set LAB_UDP_PUBLISH in your environment (it overrides .env) to 17008 (free here).',
    );

    const other = diagnose(
      facts({ published: [{ container: 'web', proto: 'udp', port: 7008 }], freePort: { udp: 17009 } }),
    );
    assert.deepEqual(
      problems(other).map((f) => [f.code, f.collidesWith, f.suggestion]),
      [['port-published', 'web', '17009']],
    );
  });

  test('values Docker cannot take, each with the setting and a fix', () => {
    const base = facts().settings!;
    const cases: [Partial<typeof base>, string, string, string | undefined][] = [
      [{ vmSubnet: 'lab' }, 'not-a-subnet', 'LAB_VM_SUBNET', '198.18.0.0/24'],
      [{ vmSubnet: '198.18.7.0/29' }, 'subnet-too-small', 'LAB_VM_SUBNET', '198.18.0.0/24'],
      [{ serverIp: '198.18.7.300' }, 'not-an-address', 'LAB_SERVER_IP', undefined],
      [{ tcpPublish: '70000' }, 'not-a-port', 'LAB_TCP_PUBLISH', undefined],
      [{ serverIp: '198.18.9.10' }, 'address-outside-subnet', 'LAB_SERVER_IP', '198.18.7.10'],
      [{ serverIp: '198.18.7.1' }, 'address-reserved', 'LAB_SERVER_IP', '198.18.7.10'],
      [{ wanGateway: '198.18.8.255' }, 'address-reserved', 'LAB_WAN_GATEWAY', '198.18.8.1'],
      [
        { wanSubnet: '198.18.7.128/25', wanGateway: '198.18.7.129' },
        'lab-subnets-overlap',
        'LAB_WAN_SUBNET',
        '198.18.0.0/24',
      ],
    ];
    for (const [change, code, setting, suggestion] of cases) {
      const fs = problems(diagnose(facts({ settings: { ...base, ...change } })));
      assert.deepEqual(
        fs.map((f) => [f.code, f.setting, f.suggestion]),
        [[code, setting, suggestion]],
        JSON.stringify(change),
      );
      assert.match(findingLines(fs[0]!, 'en', {}).more[0]!, new RegExp(`^Set ${setting} in \\.env`));
    }
    const hostBits = diagnose(facts({ settings: { ...base, vmSubnet: '198.18.7.5/24' } }));
    assert.equal(exitCodeOf(hostBits), 0);
    assert.ok(hostBits.some((f) => f.code === 'subnet-host-bits' && f.suggestion === '198.18.7.0/24'));
  });

  test('missing Compose and a failing config stop the lab; Docker unreachable is exit 2', () => {
    assert.equal(
      exitCodeOf(diagnose(facts({ compose: { command: 'docker compose', error: 'not installed' } }))),
      1,
    );
    const failed = diagnose(facts({ configError: 'invalid interpolation format' }));
    assert.deepEqual(
      problems(failed).map((f) => f.code),
      ['config-failed'],
    );
    assert.equal(exitCodeOf([{ severity: 'problem', code: 'docker-unreachable' }]), 2);
  });

  test('port candidates stay in range', () => {
    assert.equal(portCandidates(7008)[0], 17008);
    assert.ok(portCandidates(65000).every((p) => p >= 1024 && p <= 65535));
  });
});

test("a network with the lab's name that Compose did not make: LAB_PREFIX with a free value", () => {
  const networks = parseDockerNetworks(
    JSON.stringify([
      { Name: 'lab-vm', Driver: 'bridge', IPAM: { Config: [{ Subnet: '198.18.7.0/24' }] } },
      { Name: 'lab2-wan', Driver: 'bridge', IPAM: { Config: [{ Subnet: '198.18.99.0/24' }] } },
      {
        Name: 'lab-wan',
        Driver: 'bridge',
        IPAM: { Config: [{ Subnet: '198.18.8.0/24' }] },
        Labels: { 'com.docker.compose.network': 'wan', 'com.docker.compose.project': 'old' },
      },
    ]),
  );
  const base = facts().settings!;
  const fs = diagnose(facts({ networks, settings: { ...base, project: 'socket-lab' } }));
  assert.deepEqual(
    problems(fs).map((f) => [f.code, f.setting, f.value, f.collidesWith, f.suggestion]),
    [['own-network-foreign', 'LAB_PREFIX', 'lab', 'lab-vm', 'lab3']],
  );
  assert.ok(fs.some((f) => f.code === 'own-network-other-project' && f.detail?.project === 'old'));
});

test('doctor speaks the language of --lang, else LAB_LANG of the environment, else LAB_LANG of .env in its folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-lang-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  // No docker on PATH: the doctor answers at once that Docker is unreachable, in its language.
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const doctor = (args: string[], env: Record<string, string> = {}) => {
    const { LAB_LANG: _, ...rest } = process.env;
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--project-dir', dir, ...args], {
      encoding: 'utf8',
      env: { ...rest, PATH: bin, ...env },
      timeout: 30_000,
    });
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const ru = /Docker не отвечает/;
  const en = /no Docker engine answers/;
  assert.match(doctor([]), en, 'no .env: English');
  await writeFile(join(dir, '.env'), '# the lab\nLAB_STUDENT="Иванов Иван"\nLAB_LANG=ru # Russian\n');
  assert.match(doctor([]), ru, '.env says ru');
  assert.match(doctor([], { LAB_LANG: 'en' }), en, 'the environment wins over .env, as in Compose');
  assert.match(doctor(['--lang', 'en']), en, '--lang wins over .env');
  assert.match(doctor(['--lang', 'ru'], { LAB_LANG: 'en' }), ru, '--lang wins over the environment');
  await writeFile(join(dir, '.env'), 'LAB_LANG=de\n');
  assert.match(doctor([]), en, 'a language the lab does not know: English');
});
