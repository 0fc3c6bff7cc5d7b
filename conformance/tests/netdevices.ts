// config-linux.md "Network Devices" and its "Namespace Lifecycle and Container Termination"
// (v1.3.0): host interfaces the test makes with ip(8) — a dummy, or an ifb where the kernel has no
// dummy driver, both virtual — moved into the container's network namespace, as the probe's
// `netdevs` sees them there and /sys/class/net no longer shows them on the host. Every interface
// is deleted afterwards, wherever it is, even when the test failed.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostTool } from '../harness/host-tools.ts';
import type { TestContext } from '../harness/types.ts';
import { answers, refusedByCreate } from './observe.ts';
import { bundle, LONG, perEdition, pidOf, probe, succeeded, untilStopped, type Cfg } from './support.ts';

const IP = hostTool('ip');
const NSENTER = hostTool('nsenter');

interface NetDev {
  name: string;
  index: number;
  flags: number;
  up: boolean;
  mtu: number | null;
  mac: string;
  addrs: Array<{ family: string; address: string; prefix: number | null }>;
}

function run(argv: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 5000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}`.trim() });
    });
  });
}

const onHost = (name: string) => existsSync(`/sys/class/net/${name}`);

/** The kind of virtual interface this kernel can make: dummy, else ifb (found once). */
let kind: string | undefined;

/** Host interfaces for one test, and the names they may have in a container, all deleted by `remove`. */
class Interfaces {
  readonly names: string[] = [];
  /** In every name of this test: parallel tests never touch each other's interfaces. */
  private readonly tag = Math.random().toString(36).slice(2, 8);
  private readonly inContainer: string[] = [];
  private pid: number | undefined;
  constructor(private readonly ctx: TestContext) {}

  /** Makes a down virtual interface on the host; returns its name (15 characters at most). */
  async add(): Promise<string> {
    const name = `oh${this.tag}${this.names.length}`;
    let last = '';
    for (const k of kind ? [kind] : ['dummy', 'ifb']) {
      const r = await run([IP, 'link', 'add', name, 'type', k]);
      if (r.code === 0) {
        kind = k;
        this.names.push(name);
        return name;
      }
      last = r.out;
    }
    this.ctx.requires(false, `ip link add ${name} type dummy|ifb failed: ${last}`);
    return name;
  }

  /** A name for an interface in the container (the same n, the same name); with template, ending in %d. */
  inner(n: number, template = false): string {
    return `oc${this.tag}${n}${template ? 'x%d' : ''}`;
  }

  /** Names the interfaces may have in the container (deleted there too) and its pid, for `remove`. */
  expect(names: string[], pid?: number): void {
    this.inContainer.push(...names);
    if (pid !== undefined) this.pid = pid;
  }

  /** Deletes every interface: in the container's namespace while it is there, and on the host. */
  async remove(): Promise<void> {
    const ours = [...new Set([...this.names, ...this.inContainer])].filter((n) => n.includes(this.tag)); // never another's
    if (this.pid !== undefined && existsSync(`/proc/${this.pid}/ns/net`)) {
      for (const n of ours) await run([NSENTER, '-t', String(this.pid), '-n', IP, 'link', 'del', n]);
    }
    for (const n of ours) if (onHost(n)) await run([IP, 'link', 'del', n]);
  }
}

/** Runs `f` with host interfaces it makes; removes them all afterwards, whatever happened. */
async function withInterfaces(ctx: TestContext, f: (ifs: Interfaces) => Promise<void>): Promise<void> {
  ctx.requires(IP.startsWith('/'), 'ip(8) (iproute2) is not installed on the host');
  const ifs = new Interfaces(ctx);
  try {
    await f(ifs);
  } finally {
    await ifs.remove();
  }
}

/** Runs the probe's `netdevs` in a container with `netDevices`; returns what it listed. */
async function devicesInside(ctx: TestContext, ifs: Interfaces, netDevices: Record<string, { name?: string }>, renamed: string[]): Promise<NetDev[]> {
  const b = bundle(ctx, probe('netdevs'), (c: Cfg) => (c.linux!.netDevices = netDevices));
  const id = ctx.id();
  ifs.expect(renamed);
  const create = await ctx.driver.create(id, b.dir);
  succeeded(ctx, create, 'create');
  ifs.expect([], await pidOf(ctx, id));
  succeeded(ctx, await ctx.driver.start(id), 'start');
  return (await answers<NetDev[]>(ctx, b, 1, 'netdevs'))[0]!;
}

const names = (devs: NetDev[]) => devs.map((d) => d.name);

export const netDeviceTests = [
  ...perEdition({ v1: ['v1:config-linux:network-devices:1'] }, 'linux.netDevices moves a host interface into the container under its new name: there, and gone from the host', async (ctx: TestContext) => {
    await withInterfaces(ctx, async (ifs) => {
      const host = await ifs.add();
      const inner = ifs.inner(0);
      const devs = await devicesInside(ctx, ifs, { [host]: { name: inner } }, [inner]);
      ctx.expect(names(devs).includes(inner) && !names(devs).includes(host), `${inner} (was ${host}) in the container`, names(devs));
      ctx.expect(!onHost(host) && !onHost(inner), `${host} gone from the host`, { [host]: onHost(host), [inner]: onHost(inner) });
    });
  }),
  ...perEdition({ v1: ['v1:config-linux:network-devices:1'] }, 'linux.netDevices without a name: the interface keeps its host name in the container', async (ctx: TestContext) => {
    await withInterfaces(ctx, async (ifs) => {
      const host = await ifs.add();
      const devs = await devicesInside(ctx, ifs, { [host]: {} }, []);
      ctx.expect(names(devs).includes(host), `${host} in the container`, names(devs));
      ctx.expect(!onHost(host), `${host} gone from the host`, onHost(host));
    });
  }),
  ...perEdition(
    { v1: ['v1:config-linux:network-devices:5'] },
    "a moved interface keeps its attributes: MTU 1400, MAC address, and its permanent global addresses 10.199.x.1/24 and fd00:199::x/64",
    async (ctx: TestContext) => {
      await withInterfaces(ctx, async (ifs) => {
        const host = await ifs.add();
        const x = 1 + Math.floor(Math.random() * 250);
        const [v4, v6] = [`10.199.${x}.1`, `fd00:199::${x.toString(16)}`];
        for (const argv of [
          [IP, 'link', 'set', host, 'mtu', '1400'],
          [IP, 'addr', 'add', `${v4}/24`, 'dev', host],
          [IP, '-6', 'addr', 'add', `${v6}/64`, 'dev', host, 'nodad'],
        ]) {
          const r = await run(argv);
          ctx.requires(r.code === 0, `${argv.slice(1).join(' ')}: ${r.out}`);
        }
        const mac = readFileSync(`/sys/class/net/${host}/address`, 'utf8').trim();
        const inner = ifs.inner(0);
        const dev = (await devicesInside(ctx, ifs, { [host]: { name: inner } }, [inner])).find((d) => d.name === inner);
        ctx.expect(dev !== undefined, `${inner} in the container`, 'absent');
        const has = (family: string, address: string, prefix: number) => dev.addrs.some((a) => a.family === family && a.address === address && a.prefix === prefix);
        const problems = [
          dev.mtu === 1400 ? undefined : `MTU ${dev.mtu}`,
          dev.mac === mac ? undefined : `MAC ${dev.mac}, was ${mac}`,
          has('inet', v4, 24) ? undefined : `no ${v4}/24`,
          has('inet6', v6, 64) ? undefined : `no ${v6}/64`,
        ].filter(Boolean);
        ctx.expect(problems.length === 0, `MTU 1400, MAC ${mac}, ${v4}/24 and ${v6}/64 on ${inner}`, { problems, [inner]: dev });
      });
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:network-devices:6'] }, 'a moved interface (down on the host) is up in the container', async (ctx: TestContext) => {
    await withInterfaces(ctx, async (ifs) => {
      const host = await ifs.add();
      const inner = ifs.inner(0);
      const dev = (await devicesInside(ctx, ifs, { [host]: { name: inner } }, [inner])).find((d) => d.name === inner);
      ctx.expect(dev?.up === true, `${inner} up (IFF_UP) in the container`, dev ?? 'absent');
    });
  }),
  ...perEdition(
    { v1: ['v1:config-linux:network-devices:3', 'v1:runtime:errors:1'] },
    'linux.netDevices naming an interface the container namespace already has (lo) is an error, and the host interface stays on the host',
    async (ctx: TestContext) => {
      await withInterfaces(ctx, async (ifs) => {
        const host = await ifs.add();
        await refusedByCreate(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.netDevices = { [host]: { name: 'lo' } }), `an error: the container's network namespace already has lo`);
        ctx.expect(onHost(host), `${host} still on the host, as if create had not been attempted`, 'gone');
      });
    },
  ),
  ...perEdition(
    { v1: ['v1:config-linux:network-devices:3', 'v1:config-linux:network-devices:4'] },
    'two interfaces given the same template name (NAME%d) are both moved: the kernel numbers them',
    async (ctx: TestContext) => {
      await withInterfaces(ctx, async (ifs) => {
        const [a, b] = [await ifs.add(), await ifs.add()];
        const template = ifs.inner(0, true);
        const stem = template.slice(0, -2);
        const devs = await devicesInside(ctx, ifs, { [a]: { name: template }, [b]: { name: template } }, [`${stem}0`, `${stem}1`]);
        const made = names(devs).filter((n) => n.startsWith(stem) && /^\d+$/.test(n.slice(stem.length)));
        ctx.expect(made.length === 2, `two interfaces ${stem}<N> in the container`, names(devs));
        ctx.expect(!onHost(a) && !onHost(b), `${a} and ${b} gone from the host`, { [a]: onHost(a), [b]: onHost(b) });
      });
    },
  ),
  ...perEdition(
    { v1: ['v1:config-linux:namespace-lifecycle-and-container-termination:2'] },
    'the runtime does not move a moved interface back out before deletion: after delete it is on the host under neither name',
    async (ctx: TestContext) => {
      await withInterfaces(ctx, async (ifs) => {
        const host = await ifs.add();
        const inner = ifs.inner(0);
        const b = bundle(ctx, LONG, (c: Cfg) => (c.linux!.netDevices = { [host]: { name: inner } }));
        const id = ctx.id();
        ifs.expect([inner]);
        succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
        ifs.expect([], await pidOf(ctx, id));
        succeeded(ctx, await ctx.driver.start(id), 'start');
        await ctx.waitForOutput(b, 'ready');
        ctx.expect(!onHost(host), `first, ${host} moved into the container (what netDevices asks)`, `${host} still on the host`);
        succeeded(ctx, await ctx.driver.kill(id, 'KILL'), 'kill');
        await untilStopped(ctx, id);
        succeeded(ctx, await ctx.driver.delete(id), 'delete');
        ctx.expect(!onHost(host) && !onHost(inner), `neither ${host} nor ${inner} on the host after delete`, { [host]: onHost(host), [inner]: onHost(inner) });
      });
    },
  ),
];
