// config.md "Linux Process" (v1.3.0) and the draft's Linux process fields: capabilities,
// noNewPrivileges, apparmorProfile and selinuxLabel, as the container process has them — the
// sets and NoNewPrivs of its /proc/self/status, which the probe's report copies.
//
// The capability sets a runtime gives the process are those before it executes process.args;
// what the program then has follows capabilities(7) "Transformation of capabilities during
// execve()". For a program without file capabilities: bounding and inheritable stay, ambient stays
// (it must be within permitted and inheritable), and permitted = effective = ambient for a non-root
// uid, permitted = effective = bounding ∪ inheritable for uid 0. So the configurations here are
// ones execve keeps as they are, and every set is then what config.json lists.
import { existsSync, readFileSync } from 'node:fs';
import type { TestContext } from '../harness/types.ts';
import { refusedByStart } from './observe.ts';
import { perEdition, probe, started, type Cfg } from './support.ts';

/** capabilities(7) numbers of the capabilities the tests name. */
const CAP_NUMBER: Record<string, number> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_NET_BIND_SERVICE: 10,
  CAP_AUDIT_WRITE: 29,
};

/** The hex mask /proc/self/status shows for a list of capability names. */
export function capMask(names: string[]): string {
  const bits = names.reduce((m, n) => m | (1n << BigInt(CAP_NUMBER[n]!)), 0n);
  return bits.toString(16).padStart(16, '0');
}

/** Names of the bits of a status mask (the known ones; others as CAP_<n>). */
function capNames(mask: string | null | undefined): string[] {
  if (typeof mask !== 'string') return [String(mask)];
  const bits = BigInt(`0x${mask}`);
  const byNumber = new Map(Object.entries(CAP_NUMBER).map(([n, i]) => [i, n]));
  return [...Array(64).keys()].filter((i) => (bits >> BigInt(i)) & 1n).map((i) => byNumber.get(i) ?? `CAP_${i}`);
}

type Sets = Record<'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient', string[]>;

const BOUNDING = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETUID', 'CAP_AUDIT_WRITE'];
const INHERITABLE = ['CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const AMBIENT = ['CAP_NET_BIND_SERVICE'];

/** Runs the probe with `caps` as user `uid` and checks each set against `want`. */
async function capabilitiesAre(ctx: TestContext, uid: number, caps: unknown, want: Sets): Promise<void> {
  const { b } = await started(ctx, probe('report'), (c) => {
    c.process!.user = { uid, gid: uid };
    c.process!.capabilities = caps;
  });
  const r = await ctx.probeReport(b);
  const seen = (r.capabilities ?? {}) as Record<string, string | null>;
  const wrong = (Object.keys(want) as Array<keyof Sets>).filter((set) => seen[set] !== capMask(want[set]));
  ctx.expect(
    wrong.length === 0,
    `the capability sets of /proc/self/status: ${JSON.stringify(want)}`,
    Object.fromEntries(wrong.map((set) => [set, { seen: seen[set], names: capNames(seen[set]), want: capMask(want[set]) }])),
  );
}

const apparmorEnabled = () => {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
};
const selinuxEnabled = () => existsSync('/sys/fs/selinux/enforce') || readFileSync('/proc/self/mountinfo', 'utf8').includes(' - selinuxfs ');

const PROCESS_IDS = { draft: ['draft:runtime:lifecycle:5', 'draft:runtime:start:3'], v1: ['v1:runtime:start:3', 'v1:runtime:lifecycle:13'] };

export const linuxProcessTests = [
  ...perEdition(
    { v1: PROCESS_IDS.v1 },
    'process.capabilities as uid 0: bounding, inheritable and ambient are the lists given, permitted and effective the bounding list given for them',
    async (ctx: TestContext) => {
      const caps = { bounding: BOUNDING, inheritable: INHERITABLE, ambient: AMBIENT, permitted: BOUNDING, effective: BOUNDING };
      await capabilitiesAre(ctx, 0, caps, caps);
    },
  ),
  ...perEdition(
    { v1: PROCESS_IDS.v1 },
    'process.capabilities as uid 1000: bounding, inheritable, and permitted = effective = ambient are each the list given',
    async (ctx: TestContext) => {
      const caps = { bounding: BOUNDING, inheritable: INHERITABLE, ambient: AMBIENT, permitted: AMBIENT, effective: AMBIENT };
      await capabilitiesAre(ctx, 1000, caps, caps);
    },
  ),
  ...perEdition(
    { v1: PROCESS_IDS.v1 },
    'process.capabilities with only bounding (uid 1000): the sets left out are empty, bounding is CAP_CHOWN and CAP_KILL',
    async (ctx: TestContext) => {
      await capabilitiesAre(ctx, 1000, { bounding: ['CAP_CHOWN', 'CAP_KILL'] }, { bounding: ['CAP_CHOWN', 'CAP_KILL'], effective: [], inheritable: [], permitted: [], ambient: [] });
    },
  ),
  ...perEdition(
    { v1: ['v1:runtime:warnings:1', ...PROCESS_IDS.v1] },
    'an unknown capability name (CAP_CONFORMANCE_UNKNOWN) is logged as a warning, which does not change the flow: the container runs with the known ones',
    async (ctx: TestContext) => {
      const list = ['CAP_CHOWN', 'CAP_CONFORMANCE_UNKNOWN'];
      await capabilitiesAre(ctx, 0, { bounding: list, permitted: list, effective: list, inheritable: list }, { bounding: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], inheritable: ['CAP_CHOWN'], ambient: [] });
    },
  ),
  ...perEdition(
    { draft: PROCESS_IDS.draft },
    "process.capabilities (the draft's array of names) are the process's capabilities: permitted and effective are exactly CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE",
    async (ctx: TestContext) => {
      const list = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
      const { b } = await started(ctx, probe('report'), (c) => (c.process!.capabilities = list));
      const seen = ((await ctx.probeReport(b)).capabilities ?? {}) as Record<string, string>;
      ctx.expect(seen.permitted === capMask(list) && seen.effective === capMask(list), `permitted and effective ${capMask(list)} (${list.join(', ')})`, {
        permitted: capNames(seen.permitted),
        effective: capNames(seen.effective),
      });
    },
  ),
  ...perEdition(
    PROCESS_IDS,
    'process.noNewPrivileges true sets no_new_privs (NoNewPrivs 1); false leaves it unset (NoNewPrivs 0, as the runtime was called)',
    async (ctx: TestContext) => {
      const seen: Record<string, unknown> = {};
      for (const nnp of [true, false]) {
        const { b } = await started(ctx, probe('report'), (c) => (c.process!.noNewPrivileges = nnp));
        seen[String(nnp)] = (await ctx.probeReport(b)).no_new_privs;
      }
      ctx.expect(seen.true === 1 && seen.false === 0, 'NoNewPrivs 1 with noNewPrivileges true, 0 with false', seen);
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:4'], v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] },
    'process.apparmorProfile on a host without AppArmor cannot be applied: an error by start at the latest',
    async (ctx: TestContext) => {
      ctx.requires(!apparmorEnabled(), 'AppArmor is enabled on this host');
      await refusedByStart(ctx, probe('print', 'user-code-ran'), (c: Cfg) => (c.process!.apparmorProfile = 'oci-conformance'), 'an error for apparmorProfile "oci-conformance" on a host without AppArmor');
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:start:4'], v1: ['v1:config:valid-values:1', 'v1:runtime:lifecycle:2'] },
    'process.selinuxLabel on a host without SELinux cannot be applied: an error by start at the latest',
    async (ctx: TestContext) => {
      ctx.requires(!selinuxEnabled(), 'SELinux is enabled on this host');
      await refusedByStart(
        ctx,
        probe('print', 'user-code-ran'),
        (c: Cfg) => (c.process!.selinuxLabel = 'system_u:system_r:container_t:s0:c1,c2'),
        'an error for selinuxLabel "system_u:system_r:container_t:s0:c1,c2" on a host without SELinux',
      );
    },
  ),
];
