import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { LabError } from '../src/errors.ts';
import {
  type RouterSettings,
  commandLine,
  findInterfaces,
  lossProbability,
  netemMissing,
  numberSetting,
  routerPlan,
} from '../src/net/router.ts';

const SETTINGS: RouterSettings = {
  wanAddress: '198.18.8.254',
  serverAddress: '198.18.7.10',
  tcpPort: 7007,
  udpPort: 7008,
  lossPercent: 0,
  delayMs: 0,
};
const IFS = { wan: 'eth1', vm: 'eth0', vmAddress: '198.18.7.2' };

/** Asserts that `fn` throws a LabError with `code` whose message names `setting`. */
function throwsCoded(fn: () => unknown, code: string, setting: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof LabError, `not a LabError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, new RegExp(setting));
    return true;
  });
}

test('without impairment: DNAT of both lab ports to the server, MASQUERADE towards it, nothing else', () => {
  const plan = routerPlan(SETTINGS, IFS);
  assert.deepEqual(plan.iptables.map(commandLine), [
    'iptables -t nat -A PREROUTING -i eth1 -d 198.18.8.254 -p tcp --dport 7007 -j DNAT --to-destination 198.18.7.10:7007',
    'iptables -t nat -A PREROUTING -i eth1 -d 198.18.8.254 -p udp --dport 7008 -j DNAT --to-destination 198.18.7.10:7008',
    'iptables -t nat -A POSTROUTING -o eth0 -d 198.18.7.10 -j MASQUERADE',
  ]);
  assert.deepEqual(
    plan.iptables.map((c) => c.purpose),
    ['dnat', 'dnat', 'masquerade'],
  );
  assert.deepEqual(plan.delay, []);
  assert.equal(plan.probability, undefined);
});

test('loss: a random drop in FORWARD for each direction, before the rewrites', () => {
  const plan = routerPlan({ ...SETTINGS, lossPercent: 30 }, IFS);
  assert.equal(plan.probability, '0.3000');
  assert.deepEqual(plan.iptables.slice(0, 2).map(commandLine), [
    'iptables -A FORWARD -i eth1 -o eth0 -m statistic --mode random --probability 0.3000 -j DROP',
    'iptables -A FORWARD -i eth0 -o eth1 -m statistic --mode random --probability 0.3000 -j DROP',
  ]);
  assert.equal(plan.iptables.length, 5);
  assert.equal(lossProbability(2.5), '0.0250');
  assert.equal(lossProbability(100), '1.0000');
});

test('delay: one netem qdisc on each interface, so each direction waits once', () => {
  const plan = routerPlan({ ...SETTINGS, delayMs: 50 }, IFS);
  assert.deepEqual(plan.delay.map(commandLine), [
    'tc qdisc add dev eth1 root netem delay 50ms',
    'tc qdisc add dev eth0 root netem delay 50ms',
  ]);
  assert.ok(netemMissing('Error: Specified qdisc kind is unknown.'));
  assert.ok(!netemMissing('RTNETLINK answers: Operation not permitted'));
});

test('bad settings are coded errors that name the .env setting to change', () => {
  throwsCoded(() => routerPlan({ ...SETTINGS, lossPercent: 101 }, IFS), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_LOSS');
  throwsCoded(() => routerPlan({ ...SETTINGS, lossPercent: -1 }, IFS), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_LOSS');
  throwsCoded(() => routerPlan({ ...SETTINGS, delayMs: 2.5 }, IFS), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_DELAY');
  throwsCoded(() => routerPlan({ ...SETTINGS, delayMs: 60_000 }, IFS), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_DELAY');
  throwsCoded(
    () => routerPlan({ ...SETTINGS, wanAddress: 'router' }, IFS),
    'LAB_ERR_BAD_OPTION',
    'LAB_WAN_ROUTER_IP',
  );
  throwsCoded(
    () => routerPlan({ ...SETTINGS, serverAddress: '198.18.7.300' }, IFS),
    'LAB_ERR_BAD_OPTION',
    'LAB_SERVER_IP',
  );
  throwsCoded(() => routerPlan({ ...SETTINGS, tcpPort: 0 }, IFS), 'LAB_ERR_BAD_OPTION', 'tcp port');
  throwsCoded(() => numberSetting('LAB_WAN_LOSS', '30%', 0), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_LOSS');
  throwsCoded(() => numberSetting('LAB_WAN_DELAY', '-5', 0), 'LAB_ERR_BAD_OPTION', 'LAB_WAN_DELAY');
  assert.equal(numberSetting('LAB_WAN_LOSS', undefined, 0), 0);
  assert.equal(numberSetting('LAB_WAN_LOSS', '', 0), 0);
  assert.equal(numberSetting('LAB_WAN_LOSS', ' 2.5 ', 0), 2.5);
});

test('interfaces are found by address, whatever Docker named them', () => {
  const table = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', cidr: '127.0.0.1/8' }],
    eth0: [{ address: '198.18.8.254', family: 'IPv4', cidr: '198.18.8.254/24' }],
    eth1: [
      { address: '198.18.7.3', family: 'IPv4', cidr: '198.18.7.3/24' },
      { address: 'fe80::1', family: 'IPv6', cidr: 'fe80::1/64' },
    ],
  };
  assert.deepEqual(findInterfaces(table, SETTINGS), { wan: 'eth0', vm: 'eth1', vmAddress: '198.18.7.3' });
  throwsCoded(
    () => findInterfaces(table, { ...SETTINGS, wanAddress: '198.18.8.9' }),
    'LAB_ERR_BAD_OPTION',
    'LAB_WAN_ROUTER_IP',
  );
  throwsCoded(
    () => findInterfaces(table, { ...SETTINGS, serverAddress: '198.18.9.10' }),
    'LAB_ERR_BAD_OPTION',
    'LAB_SERVER_IP',
  );
  // This machine's own table (os.networkInterfaces()): no interface here is on the server's network.
  throwsCoded(
    () => findInterfaces(networkInterfaces(), { wanAddress: '127.0.0.1', serverAddress: '127.0.0.2' }),
    'LAB_ERR_BAD_OPTION',
    'LAB_SERVER_IP',
  );
});
