// features.md and features-linux.md (v1.3.0): the Features structure, as `<runtime> features`
// prints it (runc and crun's command; the spec leaves open how a runtime provides the structure,
// and a runtime without the command lacks the operation: these tests are unsupported, not skipped). What it lists must be true of the runtime:
// the two versions are accepted as config.json's ociVersion, and each hook, mount option,
// namespace, capability, seccomp action, operator, architecture and flag, and memory policy mode
// and flag it names is recognised — a config using it is created and started (and, where that can
// be seen, took effect). "Recognised" cannot be told from "not supported by this host" where the
// host lacks the feature (the spec allows listing such names), so those elements are left out and
// the test says which. Properties a runtime leaves out or sets to null say nothing (features.md:
// every property but the versions MAY be absent or null); a test with nothing to check skips.
import { mkdirSync, chmodSync, existsSync, readFileSync } from 'node:fs';
import { endianness, release } from 'node:os';
import { join } from 'node:path';
import { Unsupported, type Bundle, type ProbeReport, type TestContext } from '../harness/types.ts';
import { MARKER, hookKit, startContainerHook } from './hooks.ts';
import { answers, onX86_64, type StatAnswer } from './observe.ts';
import { agentSocket, startAgent } from './seccomp.ts';
import { X86_64_SYSCALLS_BUT_GETPRIORITY } from './syscalls-x86_64.ts';
import { bundle, mountAt, NS_FILE, perEdition, pidOf, probe, probeList, said, succeeded, untilStopped, type Cfg, type Hook, type Mount } from './support.ts';

const v1 = (...ids: string[]) => ({ v1: ids.map((i) => `v1:${i}`) });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Features = { [key: string]: Json };

/**
 * The runtime's Features structure, from its `features` command. A runtime that refuses the command
 * lacks the operation (Unsupported: the runtime's gap, not the host's); one that hangs fails.
 */
async function featuresOf(ctx: TestContext): Promise<Features> {
  const r = await ctx.driver.run(['features']);
  ctx.expect(!r.timedOut, '`features` to print the Features structure', said(r));
  if (r.code !== 0) throw new Unsupported(`the runtime has no \`features\` command to print its Features structure (${said(r)})`);
  let v: unknown;
  try {
    v = JSON.parse(r.stdout);
  } catch {
    v = undefined;
  }
  ctx.expect(typeof v === 'object' && v !== null && !Array.isArray(v), '`features` to print the Features structure as a JSON object', `stdout: ${r.stdout}`);
  return v as Features;
}

/** The value at a path of the structure, when it is an object. */
function objectAt(f: Features, ...path: string[]): Features | undefined {
  let v: Json | undefined = f;
  for (const k of path) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? v[k] : undefined;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

/** The strings of a list at a path; the test skips when the list is absent or null (nothing claimed). */
function listAt(ctx: TestContext, f: Features, path: string[]): string[] {
  const parent = objectAt(f, ...path.slice(0, -1));
  const v = parent?.[path[path.length - 1]!];
  ctx.requires(v !== undefined && v !== null, `the runtime's Features structure has no ${path.join('.')} (absent or null: nothing claimed)`);
  ctx.expect(Array.isArray(v) && v.every((e) => typeof e === 'string'), `${path.join('.')} to be an array of strings`, v);
  return v as string[];
}

/** The properties features.md and features-linux.md define; `map` holds keys of the runtime's choosing. */
type Tree = { [key: string]: Tree | 'value' | 'map' };
const ENABLED: Tree = { enabled: 'value' };
export const FEATURES_TREE: Tree = {
  ociVersionMin: 'value',
  ociVersionMax: 'value',
  hooks: 'value',
  mountOptions: 'value',
  linux: {
    namespaces: 'value',
    capabilities: 'value',
    cgroup: { v1: 'value', v2: 'value', systemd: 'value', systemdUser: 'value', rdma: 'value' },
    seccomp: { enabled: 'value', actions: 'value', operators: 'value', archs: 'value', knownFlags: 'value', supportedFlags: 'value' },
    apparmor: ENABLED,
    selinux: ENABLED,
    memoryPolicy: { modes: 'value', flags: 'value' },
    intelRdt: { enabled: 'value', schemata: 'value', monitoring: 'value' },
    mountExtensions: { idmap: ENABLED },
    netDevices: ENABLED,
  },
  annotations: 'map',
  potentiallyUnsafeConfigAnnotations: 'value',
};

/** The paths of properties `value` holds that `tree` does not define. */
export function undefinedProperties(value: Json, tree: Tree, at = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const t = tree[k];
    const path = at === '' ? k : `${at}.${k}`;
    if (t === undefined) return [path];
    return typeof t === 'object' ? undefinedProperties(v, t, path) : [];
  });
}

/** Semantic versions compared (semver.org "Precedence"); NaN when either is not one. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  const [x, y] = [parse(a), parse(b)];
  if (x === null || y === null) return NaN;
  for (let i = 1; i <= 3; i++) if (Number(x[i]) !== Number(y[i])) return Number(x[i]) - Number(y[i]);
  const [p, q] = [x[4], y[4]];
  if (p === undefined || q === undefined) return p === q ? 0 : p === undefined ? 1 : -1;
  const [ps, qs] = [p.split('.'), q.split('.')];
  for (let i = 0; i < Math.max(ps.length, qs.length); i++) {
    const [s, t] = [ps[i], qs[i]];
    if (s === undefined || t === undefined) return s === undefined ? -1 : 1;
    if (s === t) continue;
    const [m, n] = [/^\d+$/.test(s), /^\d+$/.test(t)];
    if (m && n) return Number(s) - Number(t);
    if (m !== n) return m ? -1 : 1;
    return s < t ? -1 : 1;
  }
  return 0;
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release().split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor);
}

/** Node's process.arch as Go (and the draft's platform.arch) names it. */
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle' };

/**
 * The sample config as one of `version`: before 1.0.0 in the draft's shape (as the draft-basic
 * sample: platform is required, and there is no cgroup namespace), the v1 sample's otherwise.
 */
function ofVersion(c: Cfg, version: string): void {
  c.ociVersion = version;
  if (!(compareVersions(version, '1.0.0') < 0)) return;
  c.platform = { os: 'linux', arch: GOARCH[process.arch] ?? process.arch };
  c.linux!.namespaces = (c.linux!.namespaces ?? []).filter((n) => n.type !== 'cgroup');
}

type Tried = { ok: true; b: Bundle; id: string } | { ok: false; said: string };

/** Creates and starts a container, without failing the test: whether the runtime took the config. */
async function tryContainer(ctx: TestContext, args: string[], edit: (c: Cfg) => void): Promise<Tried> {
  const b = bundle(ctx, args, edit);
  const id = ctx.id();
  const create = await ctx.driver.create(id, b.dir);
  if (create.code !== 0) return { ok: false, said: said(create) };
  const start = await ctx.driver.start(id);
  return start.code === 0 ? { ok: true, b, id } : { ok: false, said: said(start) };
}

/** How long the search for the elements a runtime refuses may take (a test has 60 s). */
const DIAGNOSIS_MS = 25_000;

/**
 * One container using every element must be created and started, and its probe report printed.
 * When it is not, each element is tried alone, to say which the runtime refuses.
 */
async function acceptsAll(ctx: TestContext, elements: string[], edit: (els: string[]) => (c: Cfg) => void, what: string): Promise<ProbeReport> {
  const all = await tryContainer(ctx, probe('report'), edit(elements));
  if (all.ok) return ctx.probeReport(all.b);
  return refusedAmong(ctx, elements, edit, what, all.said);
}

/** Fails the test, naming the elements the runtime refuses alone (`together`: what it said to all of them). */
async function refusedAmong(ctx: TestContext, elements: string[], edit: (els: string[]) => (c: Cfg) => void, what: string, together: string): Promise<never> {
  const refused: string[] = [];
  const until = Date.now() + DIAGNOSIS_MS;
  let tried = 0;
  for (const e of elements) {
    if (Date.now() > until) break;
    tried++;
    const one = await tryContainer(ctx, probe('report'), edit([e]));
    if (!one.ok) refused.push(`${e}: ${one.said}`);
  }
  ctx.expect(false, `${what}: a container using all of ${elements.join(', ')} created and started`, {
    together,
    refusedAlone: refused.length > 0 ? refused : 'none: each alone was taken',
    ...(tried < elements.length ? { notTried: elements.slice(tried) } : {}),
  });
}

/** capabilities(7) numbers. */
const CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The user namespace mappings of the v1-userns sample bundle. */
const USERNS_MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];

/** System calls no runtime makes between loading a filter and execve, nor the probe's report: one per action. */
const UNUSED_SYSCALLS = ['acct', 'swapon', 'swapoff', 'vhangup', 'quotactl', 'delete_module', 'init_module', 'kexec_load'];

/** The byte order of each seccomp architecture config-linux.md names. */
const ARCH_ORDER: Record<string, 'little' | 'big'> = {
  SCMP_ARCH_X86: 'little',
  SCMP_ARCH_X86_64: 'little',
  SCMP_ARCH_X32: 'little',
  SCMP_ARCH_ARM: 'little',
  SCMP_ARCH_AARCH64: 'little',
  SCMP_ARCH_MIPS: 'big',
  SCMP_ARCH_MIPS64: 'big',
  SCMP_ARCH_MIPS64N32: 'big',
  SCMP_ARCH_MIPSEL: 'little',
  SCMP_ARCH_MIPSEL64: 'little',
  SCMP_ARCH_MIPSEL64N32: 'little',
  SCMP_ARCH_PPC: 'big',
  SCMP_ARCH_PPC64: 'big',
  SCMP_ARCH_PPC64LE: 'little',
  SCMP_ARCH_S390: 'big',
  SCMP_ARCH_S390X: 'big',
  SCMP_ARCH_PARISC: 'big',
  SCMP_ARCH_PARISC64: 'big',
  SCMP_ARCH_RISCV64: 'little',
  SCMP_ARCH_LOONGARCH64: 'little',
  SCMP_ARCH_M68K: 'big',
  SCMP_ARCH_SH: 'little',
  SCMP_ARCH_SHEB: 'big',
};

/** The seccomp flags config-linux.md names, with the Linux release that has each. */
const FLAG_KERNEL: Record<string, [number, number]> = {
  SECCOMP_FILTER_FLAG_TSYNC: [3, 17],
  SECCOMP_FILTER_FLAG_LOG: [4, 14],
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: [4, 17],
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: [5, 19],
};

/** The memory policy modes and flags config-linux.md names, with the Linux release that has each. */
const MPOL_KERNEL: Record<string, [number, number]> = {
  MPOL_DEFAULT: [2, 6],
  MPOL_BIND: [2, 6],
  MPOL_INTERLEAVE: [2, 6],
  MPOL_PREFERRED: [2, 6],
  MPOL_LOCAL: [3, 8],
  MPOL_PREFERRED_MANY: [5, 15],
  MPOL_WEIGHTED_INTERLEAVE: [6, 9],
  MPOL_F_STATIC_NODES: [2, 6],
  MPOL_F_RELATIVE_NODES: [2, 6],
  MPOL_F_NUMA_BALANCING: [5, 12],
};
/** Modes that take no nodes (set_mempolicy(2)). */
const NO_NODES = ['MPOL_DEFAULT', 'MPOL_LOCAL'];

const firstMemNode = () => /Mems_allowed_list:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';

/** Those of `names` this kernel has (by FLAG_KERNEL or MPOL_KERNEL); the rest, apart. */
function byKernel(names: string[], table: Record<string, [number, number]>): { has: string[]; lacks: string[] } {
  const has = names.filter((n) => table[n] !== undefined && kernelAtLeast(...table[n]!));
  return { has, lacks: names.filter((n) => !has.includes(n)) };
}

/** A seccomp profile that lets everything through but rules on system calls nothing here makes. */
const quietProfile = (extra: Record<string, unknown>) => ({ defaultAction: 'SCMP_ACT_ALLOW', ...extra });

/** The host probe (it is also the seccomp agent), from a bundle's rootfs. */
function hostProbePath(ctx: TestContext): string {
  return join(bundle(ctx, probe('report')).config.root.path, 'probe');
}

/** The filter is loaded: the probe's report says Seccomp mode 2. */
function filtered(ctx: TestContext, r: ProbeReport, what: string): void {
  ctx.expect(r.seccomp === 2, `${what}: the container process under a seccomp filter (Seccomp: 2)`, { seccomp: r.seccomp });
}

/** The one flag that needs a seccomp agent: the kernel takes it only with a listener (and not with TSYNC). */
const NEEDS_LISTENER = 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV';

/** Checks the flags of a features list: those the kernel has in one profile (the agent's flag in one of its own), loaded. */
async function flagsTaken(ctx: TestContext, path: string[], what: string): Promise<void> {
  const listed = listAt(ctx, await featuresOf(ctx), path);
  const { has, lacks } = byKernel(listed, FLAG_KERNEL);
  ctx.requires(has.length > 0, `none of ${path.join('.')} (${listed.join(', ') || 'empty'}) is a flag this kernel has`);
  const leftOut = lacks.length > 0 ? ` (left out: ${lacks.join(', ')}, which this kernel lacks or config-linux.md does not name)` : '';
  const plain = has.filter((f) => f !== NEEDS_LISTENER);
  if (plain.length > 0) {
    const r = await acceptsAll(ctx, plain, (flags) => (c) => (c.linux!.seccomp = quietProfile({ flags, syscalls: [{ names: ['acct'], action: 'SCMP_ACT_ERRNO' }] })), `${what}${leftOut}`);
    filtered(ctx, r, `linux.seccomp.flags ${plain.join(', ')}`);
  }
  if (has.includes(NEEDS_LISTENER)) {
    const agent = await startAgent(ctx, hostProbePath(ctx), 1);
    try {
      const r = await acceptsAll(
        ctx,
        [NEEDS_LISTENER],
        (flags) => (c) => (c.linux!.seccomp = quietProfile({ flags, listenerPath: agentSocket(ctx), syscalls: [{ names: ['acct'], action: 'SCMP_ACT_NOTIFY' }] })),
        `${what} ${NEEDS_LISTENER} (with SCMP_ACT_NOTIFY and the agent listening)`,
      );
      filtered(ctx, r, `linux.seccomp.flags ${NEEDS_LISTENER}`);
    } finally {
      agent.stop();
    }
  }
}

export const featureTests = [
  ...perEdition(v1('features:specification-version:4'), 'the Features structure (`features`) has no property features.md and features-linux.md do not define', async (ctx: TestContext) => {
    const f = await featuresOf(ctx);
    const extra = undefinedProperties(f, FEATURES_TREE);
    ctx.expect(extra.length === 0, 'only the properties of features.md and features-linux.md (annotations excepted: its keys are the runtime\'s)', extra);
  }),
  ...perEdition(v1('features:specification-version:3'), 'features ociVersionMax is a version not less than ociVersionMin (both present: they are REQUIRED)', async (ctx: TestContext) => {
    const f = await featuresOf(ctx);
    const [min, max] = [f.ociVersionMin, f.ociVersionMax];
    ctx.expect(typeof min === 'string' && typeof max === 'string', 'ociVersionMin and ociVersionMax, strings', { ociVersionMin: min, ociVersionMax: max });
    const order = compareVersions(max, min);
    ctx.expect(order >= 0, `ociVersionMax ${max} not less than ociVersionMin ${min} (SemVer 2.0.0 precedence)`, Number.isNaN(order) ? 'not both SemVer versions' : `${max} < ${min}`);
  }),
  ...(['ociVersionMin', 'ociVersionMax'] as const).flatMap((field, i) =>
    perEdition(v1(`features:specification-version:${i + 1}`), `a config.json whose ociVersion is the features ${field} is accepted: create and start succeed (a config of that version, in the draft's shape before 1.0.0)`, async (ctx: TestContext) => {
      const version = (await featuresOf(ctx))[field];
      ctx.expect(typeof version === 'string', `${field}, a string (it is REQUIRED)`, version);
      const tried = await tryContainer(ctx, probe('report'), (c) => ofVersion(c, version));
      ctx.expect(tried.ok, `a config with ociVersion ${version} created and started`, tried.ok ? undefined : tried.said);
      await ctx.probeReport(tried.b);
    }),
  ),
  ...perEdition(v1('features:hooks:1'), 'every hook the features hooks name is supported: a config with one of each has each run (by the end of delete)', async (ctx: TestContext) => {
    const names = listAt(ctx, await featuresOf(ctx), ['hooks']);
    ctx.requires(names.length > 0, 'features.hooks is empty');
    const kit = hookKit(ctx);
    const b = bundle(ctx, probe('ls', '/tmp'), (c) => {
      c.hooks = Object.fromEntries(names.map((n): [string, Hook[]] => [n, [n === 'startContainer' ? startContainerHook() : kit.hook(n)]]));
    });
    const id = ctx.id();
    succeeded(ctx, await ctx.driver.create(id, b.dir), 'create');
    succeeded(ctx, await ctx.driver.start(id), 'start');
    const listed = (await probeList(ctx, b)) ?? [];
    await untilStopped(ctx, id);
    succeeded(ctx, await ctx.driver.delete(id), 'delete');
    const ran = [...kit.names(), ...(listed.includes(MARKER) ? ['startContainer'] : [])];
    const missing = names.filter((n) => !ran.includes(n));
    ctx.expect(missing.length === 0, `each of ${names.join(', ')} run (startContainer: its file in the container's /tmp)`, { notRun: missing, ran });
  }),
  ...perEdition(
    v1('features:mount-options:1'),
    'every mount option the features mountOptions name is recognised: one mount per option (a tmpfs under /tmp; bind and rbind of a host directory; remount over a tmpfs; idmap and ridmap with mappings) are all made',
    async (ctx: TestContext) => {
      const options = listAt(ctx, await featuresOf(ctx), ['mountOptions']);
      ctx.requires(options.length > 0, 'features.mountOptions is empty');
      const source = join(ctx.tmp, 'mount-source');
      mkdirSync(source, { recursive: true });
      chmodSync(source, 0o755);
      const at = (o: string) => `/tmp/oc-${o}`;
      const mountsFor = (o: string): Array<Mount & Record<string, unknown>> => {
        const destination = at(o);
        if (o === 'bind' || o === 'rbind') return [{ destination, type: 'bind', source, options: [o] }];
        if (o === 'idmap' || o === 'ridmap') return [{ destination, type: 'none', source, options: [o === 'idmap' ? 'bind' : 'rbind', o], uidMappings: USERNS_MAP, gidMappings: USERNS_MAP }];
        if (o === 'remount') return [{ destination, type: 'tmpfs', source: 'tmpfs' }, { destination, type: 'tmpfs', source: 'tmpfs', options: ['remount'] }];
        return [{ destination, type: 'tmpfs', source: 'tmpfs', options: [o] }];
      };
      const r = await acceptsAll(ctx, options, (opts) => (c) => (c.mounts = [...(c.mounts ?? []), ...opts.flatMap(mountsFor)]), 'features.mountOptions');
      const missing = options.filter((o) => mountAt(r, at(o)) === undefined);
      ctx.expect(missing.length === 0, 'a mount at /tmp/oc-<option> for each option, in the container\'s mountinfo', missing.map(at));
    },
  ),
  ...perEdition(v1('features:annotations:1'), 'the features annotations are a map of keys (non-empty strings) to string values, as config.json\'s annotations', async (ctx: TestContext) => {
    const a = (await featuresOf(ctx)).annotations;
    ctx.requires(a !== undefined && a !== null, 'the Features structure has no annotations (absent or null)');
    ctx.expect(typeof a === 'object' && !Array.isArray(a), 'annotations, a JSON object', a);
    const bad = Object.entries(a).filter(([k, v]) => k === '' || typeof v !== 'string');
    ctx.expect(bad.length === 0, 'every key a non-empty string and every value a string (config.md "Annotations")', Object.fromEntries(bad));
  }),
  ...perEdition(
    v1('features-linux:namespaces:1'),
    "every namespace the features linux.namespaces name (that this kernel has) is recognised: a container asking for all of them (user with the v1-userns sample's mappings) is made, in a namespace of each type of its own",
    async (ctx: TestContext) => {
      const listed = listAt(ctx, await featuresOf(ctx), ['linux', 'namespaces']);
      const has = listed.filter((t) => existsSync(`/proc/self/ns/${NS_FILE[t] ?? t}`));
      ctx.requires(has.length > 0, `this kernel has none of ${listed.join(', ') || 'the (empty) list'}`);
      const lacks = listed.filter((t) => !has.includes(t));
      const edit = (types: string[]) => (c: Cfg) => {
        const ns = c.linux!.namespaces ?? [];
        c.linux!.namespaces = [...ns, ...types.filter((t) => !ns.some((n) => n.type === t)).map((type) => ({ type }))];
        if (types.includes('user')) Object.assign(c.linux!, { uidMappings: USERNS_MAP, gidMappings: USERNS_MAP });
      };
      const all = await tryContainer(ctx, probe('print', 'ready', 'sleep', '600'), edit(has));
      if (!all.ok) return refusedAmong(ctx, has, edit, `features.linux.namespaces${lacks.length > 0 ? ` (left out, this kernel lacks them: ${lacks.join(', ')})` : ''}`, all.said);
      await ctx.waitForOutput(all.b, 'ready'); // the probe has been executed: in the time namespace too
      const pid = await pidOf(ctx, all.id);
      const shared = has.filter((t) => ctx.nsInode(pid, NS_FILE[t] ?? t) === undefined || ctx.nsInode(pid, NS_FILE[t] ?? t) === ctx.nsInode('self', NS_FILE[t] ?? t));
      ctx.expect(shared.length === 0, `the container process in a namespace of its own of each type: ${has.join(', ')}`, { sameAsTheHost: shared });
    },
  ),
  ...perEdition(
    v1('features-linux:capabilities:1'),
    'every capability the features linux.capabilities name (that the runtime can be granted here) is recognised: a container with all of them as its bounding, permitted and effective sets runs, its bounding set holding each',
    async (ctx: TestContext) => {
      const listed = listAt(ctx, await featuresOf(ctx), ['linux', 'capabilities']);
      ctx.requires(listed.length > 0, 'features.linux.capabilities is empty');
      // What the runtime can grant is what this process (the runtime's parent) holds: a capability
      // outside it cannot be granted whether or not it is recognised, so it is left out.
      const bounding = BigInt(`0x${/CapBnd:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
      const grantable = listed.filter((n) => CAPS.indexOf(n) < 0 || ((bounding >> BigInt(CAPS.indexOf(n))) & 1n) === 1n);
      const lacks = listed.filter((n) => !grantable.includes(n));
      ctx.requires(grantable.length > 0, `this host can grant none of ${listed.join(', ')}`);
      const r = await acceptsAll(
        ctx,
        grantable,
        (caps) => (c) => (c.process!.capabilities = { bounding: caps, permitted: caps, effective: caps }),
        `features.linux.capabilities${lacks.length > 0 ? ` (left out: ${lacks.join(', ')}, outside the bounding set the runtime is run with here)` : ''}`,
      );
      const mask = BigInt(`0x${((r.capabilities ?? {}) as Record<string, string>).bounding ?? '0'}`);
      const known = grantable.filter((n) => CAPS.indexOf(n) >= 0);
      const absentBits = known.filter((n) => ((mask >> BigInt(CAPS.indexOf(n))) & 1n) === 0n);
      ctx.expect(absentBits.length === 0, 'each capability this kernel has in the bounding set (/proc/self/status CapBnd)', { missing: absentBits, bounding: mask.toString(16) });
    },
  ),
  ...perEdition(
    v1('features-linux:seccomp:1'),
    'every seccomp action the features linux.seccomp.actions name is recognised: a profile using each (on system calls nothing here makes; ALLOW over a default of ERRNO; NOTIFY with the agent listening) is loaded',
    async (ctx: TestContext) => {
      const actions = listAt(ctx, await featuresOf(ctx), ['linux', 'seccomp', 'actions']);
      const plain = actions.filter((a) => a !== 'SCMP_ACT_ALLOW' && a !== 'SCMP_ACT_NOTIFY');
      ctx.requires(plain.length <= UNUSED_SYSCALLS.length, `more actions than the ${UNUSED_SYSCALLS.length} unused system calls to put them on`);
      if (plain.length > 0) {
        const r = await acceptsAll(
          ctx,
          plain,
          (acts) => (c) => (c.linux!.seccomp = quietProfile({ syscalls: acts.map((action) => ({ names: [UNUSED_SYSCALLS[plain.indexOf(action)]!], action })) })),
          'features.linux.seccomp.actions',
        );
        filtered(ctx, r, `actions ${plain.join(', ')}`);
      }
      if (actions.includes('SCMP_ACT_ALLOW') && onX86_64) {
        // The default may not be the rule's action: ALLOW every x86_64 call (but getpriority) over ERRNO.
        const r = await acceptsAll(
          ctx,
          ['SCMP_ACT_ALLOW'],
          () => (c) => (c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: X86_64_SYSCALLS_BUT_GETPRIORITY, action: 'SCMP_ACT_ALLOW' }] }),
          'features.linux.seccomp.actions SCMP_ACT_ALLOW',
        );
        filtered(ctx, r, 'action SCMP_ACT_ALLOW');
      }
      if (actions.includes('SCMP_ACT_NOTIFY')) {
        const agent = await startAgent(ctx, hostProbePath(ctx), 1);
        try {
          const r = await acceptsAll(
            ctx,
            ['SCMP_ACT_NOTIFY'],
            () => (c) => (c.linux!.seccomp = quietProfile({ listenerPath: agentSocket(ctx), syscalls: [{ names: ['acct'], action: 'SCMP_ACT_NOTIFY' }] })),
            'features.linux.seccomp.actions SCMP_ACT_NOTIFY',
          );
          filtered(ctx, r, 'action SCMP_ACT_NOTIFY');
        } finally {
          agent.stop();
        }
      }
    },
  ),
  ...perEdition(
    v1('features-linux:seccomp:2'),
    'every seccomp operator the features linux.seccomp.operators name is recognised: a profile with one rule per operator (on acct) is loaded',
    async (ctx: TestContext) => {
      const ops = listAt(ctx, await featuresOf(ctx), ['linux', 'seccomp', 'operators']);
      ctx.requires(ops.length > 0, 'features.linux.seccomp.operators is empty');
      const rule = (op: string) => ({ names: ['acct'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, ...(op === 'SCMP_CMP_MASKED_EQ' ? { valueTwo: 1 } : {}), op }] });
      const r = await acceptsAll(ctx, ops, (list) => (c) => (c.linux!.seccomp = quietProfile({ syscalls: list.map(rule) })), 'features.linux.seccomp.operators');
      filtered(ctx, r, `operators ${ops.join(', ')}`);
    },
  ),
  ...perEdition(
    v1('features-linux:seccomp:3'),
    "every seccomp architecture the features linux.seccomp.archs name (of the host's byte order) is recognised: a profile listing them all as its architectures is loaded",
    async (ctx: TestContext) => {
      const listed = listAt(ctx, await featuresOf(ctx), ['linux', 'seccomp', 'archs']);
      // A filter holds architectures of one byte order (libseccomp's seccomp_arch_add is EDOM for
      // the other): those of the host's are tried, the others cannot be told apart from refused.
      const host = endianness() === 'LE' ? 'little' : 'big';
      const archs = listed.filter((a) => ARCH_ORDER[a] === undefined || ARCH_ORDER[a] === host);
      const lacks = listed.filter((a) => !archs.includes(a));
      ctx.requires(archs.length > 0, `none of ${listed.join(', ') || 'the (empty) list'} is ${host}-endian as this host`);
      const r = await acceptsAll(
        ctx,
        archs,
        (list) => (c) => (c.linux!.seccomp = quietProfile({ architectures: list, syscalls: [{ names: ['acct'], action: 'SCMP_ACT_ERRNO' }] })),
        `features.linux.seccomp.archs${lacks.length > 0 ? ` (left out, of the other byte order: ${lacks.join(', ')})` : ''}`,
      );
      filtered(ctx, r, `architectures ${archs.join(', ')}`);
    },
  ),
  ...perEdition(v1('features-linux:seccomp:4'), 'every seccomp flag the features linux.seccomp.knownFlags name (that this kernel has) is recognised: a profile with them is loaded', async (ctx: TestContext) => {
    await flagsTaken(ctx, ['linux', 'seccomp', 'knownFlags'], 'features.linux.seccomp.knownFlags');
  }),
  ...perEdition(v1('features-linux:seccomp:5'), 'every seccomp flag the features linux.seccomp.supportedFlags name is recognised and supported: a profile with them is loaded', async (ctx: TestContext) => {
    await flagsTaken(ctx, ['linux', 'seccomp', 'supportedFlags'], 'features.linux.seccomp.supportedFlags');
  }),
  ...perEdition(
    v1('features-linux:memorypolicy:1'),
    'every memory policy mode the features linux.memoryPolicy.modes name (that this kernel has) is recognised: a container with each as linux.memoryPolicy.mode (nodes: the first memory node, none for MPOL_DEFAULT and MPOL_LOCAL) runs',
    async (ctx: TestContext) => {
      const modes = listAt(ctx, await featuresOf(ctx), ['linux', 'memoryPolicy', 'modes']);
      ctx.requires(existsSync('/sys/devices/system/node/node0'), 'this kernel has no NUMA (set_mempolicy(2) is ENOSYS)');
      const { has, lacks } = byKernel(modes, MPOL_KERNEL);
      ctx.requires(has.length > 0, `none of ${modes.join(', ') || 'the (empty) list'} is a mode this kernel has`);
      const refused: string[] = [];
      for (const mode of has) {
        const tried = await tryContainer(ctx, probe('report'), (c) => (c.linux!.memoryPolicy = { mode, ...(NO_NODES.includes(mode) ? {} : { nodes: firstMemNode() }) }));
        if (!tried.ok) refused.push(`${mode}: ${tried.said}`);
      }
      ctx.expect(refused.length === 0, `a container with each of ${has.join(', ')}${lacks.length > 0 ? ` (left out: ${lacks.join(', ')})` : ''}`, refused);
    },
  ),
  ...perEdition(
    v1('features-linux:memorypolicy:2'),
    'every memory policy flag the features linux.memoryPolicy.flags name (that this kernel has) is recognised: a container with each, on MPOL_BIND of the first memory node, runs',
    async (ctx: TestContext) => {
      const flags = listAt(ctx, await featuresOf(ctx), ['linux', 'memoryPolicy', 'flags']);
      ctx.requires(existsSync('/sys/devices/system/node/node0'), 'this kernel has no NUMA (set_mempolicy(2) is ENOSYS)');
      const { has, lacks } = byKernel(flags, MPOL_KERNEL);
      ctx.requires(has.length > 0, `none of ${flags.join(', ') || 'the (empty) list'} is a flag this kernel has`);
      const refused: string[] = [];
      for (const flag of has) {
        const tried = await tryContainer(ctx, probe('report'), (c) => (c.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: firstMemNode(), flags: [flag] }));
        if (!tried.ok) refused.push(`${flag}: ${tried.said}`);
      }
      ctx.expect(refused.length === 0, `a container with each of ${has.join(', ')}${lacks.length > 0 ? ` (left out: ${lacks.join(', ')})` : ''}`, refused);
    },
  ),
  ...perEdition(
    v1('features-linux:mountextensions:1'),
    'features linux.mountExtensions.idmap.enabled is not false when the runtime takes an id-mapped bind mount (uidMappings and gidMappings on the mount are used)',
    async (ctx: TestContext) => {
      const idmap = objectAt(await featuresOf(ctx), 'linux', 'mountExtensions', 'idmap');
      const enabled = idmap?.enabled;
      ctx.requires(enabled === false, `nothing to check: linux.mountExtensions.idmap.enabled is ${enabled === undefined ? 'absent' : JSON.stringify(enabled)}, not false`);
      const source = join(ctx.tmp, 'idmap-source');
      mkdirSync(source, { recursive: true });
      chmodSync(source, 0o755);
      const tried = await tryContainer(ctx, probe('stat', '/tmp/idmapped'), (c) => {
        c.mounts = [...(c.mounts ?? []), { destination: '/tmp/idmapped', type: 'none', source, options: ['bind', 'idmap'], uidMappings: USERNS_MAP, gidMappings: USERNS_MAP } as Mount];
      });
      if (!tried.ok) return; // refused: the runtime does not take id-mapped mounts, as it says
      const [seen] = await answers<StatAnswer>(ctx, tried.b, 1, 'stat /tmp/idmapped');
      ctx.expect(seen!.uid === 0, `idmap.enabled false, so the mount is not id-mapped: /tmp/idmapped (owned by root on the host) owned by root, not by ${USERNS_MAP[0]!.hostID} as the mappings would make it`, seen);
    },
  ),
];
