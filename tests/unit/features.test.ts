// src/lifecycle/features.ts against features.md and features-linux.md (v1.3.0): only properties the
// spec defines, and every advertised name taken by the code that acts on it and by validation.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { features, OCI_VERSION_MAX, OCI_VERSION_MIN, supportedSeccompFlags } from '../../src/lifecycle/features.ts';
import { compileSeccomp } from '../../src/linux/seccomp-compile.ts';
import { seccompNames } from '../../src/linux/seccomp-names.ts';
import { buildPlan } from '../../src/plan/build.ts';
import { capabilityMasks } from '../../src/plan/capabilities.ts';
import { parseMountOptions } from '../../src/plan/mount-options.ts';
import { namespaceSet } from '../../src/plan/namespaces.ts';
import { memoryPolicySteps } from '../../src/plan/personality.ts';
import { CAPABILITIES } from '../../src/spec/checks/process.ts';
import { editionOf } from '../../src/spec/edition.ts';
import { unsupportedFindings } from '../../src/spec/unsupported.ts';

const f = features();
const linux = f.linux!;
const seccomp = linux.seccomp!;

/**
 * Every property features.md and features-linux.md define, as a tree; `true` is a leaf (a string,
 * an array of strings or a bool) and `'map'` is annotations' free key-value map.
 */
const SPEC_TREE = {
  ociVersionMin: true,
  ociVersionMax: true,
  hooks: true,
  mountOptions: true,
  linux: {
    namespaces: true,
    capabilities: true,
    cgroup: { v1: true, v2: true, systemd: true, systemdUser: true, rdma: true },
    seccomp: { enabled: true, actions: true, operators: true, archs: true, knownFlags: true, supportedFlags: true },
    apparmor: { enabled: true },
    selinux: { enabled: true },
    memoryPolicy: { modes: true, flags: true },
    intelRdt: { enabled: true, schemata: true, monitoring: true },
    mountExtensions: { idmap: { enabled: true } },
    netDevices: { enabled: true },
  },
  annotations: 'map',
  potentiallyUnsafeConfigAnnotations: true,
} as const;

type Tree = { readonly [k: string]: Tree | true | 'map' };

/** The paths of `value` that the tree does not define, or whose shape differs from it. */
function outside(value: unknown, tree: Tree, at = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at || '/'}: not an object`];
  return Object.entries(value).flatMap(([k, v]) => {
    const node = tree[k];
    const path = `${at}/${k}`;
    if (node === undefined) return [path];
    if (node === 'map') return Object.values(v as object).every((s) => typeof s === 'string') ? [] : [`${path}: not a map of strings`];
    if (node === true) {
      const leaf = typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
      return leaf ? [] : [`${path}: not a string, bool or array of strings`];
    }
    return outside(v, node, path);
  });
}

/** The v1 schema's enum at a path of $defs. */
const schema = JSON.parse(readFileSync(new URL('../../src/spec/schema/config-v1.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
function schemaEnum(...path: string[]): string[] {
  const node = path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], schema) as { enum: string[] };
  return node.enum;
}

/** SemVer 2.0.0 precedence of two versions without build metadata (features.md: Max MUST NOT be less than Min). */
function semverCompare(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2) as [string, string | undefined];
    return { nums: core.split('.').map(Number), pre: pre === undefined ? [] : pre.split('.') };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! - y.nums[i]!;
  if (!x.pre.length || !y.pre.length) return y.pre.length - x.pre.length; // a pre-release is lower
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return Number(p) - Number(q);
    return pn ? -1 : qn ? 1 : p < q ? -1 : 1;
  }
  return 0;
}

describe('features.md: only the properties this version defines', () => {
  it('has no property outside features.md and features-linux.md', () => {
    expect(outside(f, SPEC_TREE)).toEqual([]);
    // the walk itself: an unknown key, at the top or nested, and a wrong shape are found
    expect(outside({ ...f, checkpoint: true, linux: { ...linux, rdt: {}, cgroup: { v1: 1 } } }, SPEC_TREE)).toEqual(['/linux/cgroup/v1: not a string, bool or array of strings', '/linux/rdt', '/checkpoint']);
  });
  it('is plain JSON: it survives a round trip unchanged (no undefined, bigint or null)', () => {
    expect(JSON.parse(JSON.stringify(f))).toStrictEqual(f);
  });
  it('lists no name twice', () => {
    const lists = [f.hooks, f.mountOptions, linux.namespaces, linux.capabilities, seccomp.actions, seccomp.operators, seccomp.archs, seccomp.knownFlags, linux.memoryPolicy?.modes, linux.memoryPolicy?.flags];
    for (const list of lists) expect(new Set(list).size).toBe(list!.length);
  });
});

describe('features.md "Specification version"', () => {
  it('ociVersionMin and ociVersionMax are accepted as config.json ociVersion (a MUST for each)', () => {
    expect(editionOf(OCI_VERSION_MIN)).toEqual({ ok: true, edition: 'draft' });
    expect(editionOf(OCI_VERSION_MAX)).toEqual({ ok: true, edition: 'v1' });
    expect([f.ociVersionMin, f.ociVersionMax]).toEqual([OCI_VERSION_MIN, OCI_VERSION_MAX]);
  });
  it('ociVersionMax is not less than ociVersionMin', () => {
    expect(semverCompare(f.ociVersionMax, f.ociVersionMin)).toBeGreaterThanOrEqual(0);
    expect(semverCompare('1.0.0-rc5', '1.0.0')).toBeLessThan(0); // the comparison itself
    expect(semverCompare('0.6.0-dev', '0.5.0')).toBeGreaterThan(0);
  });
});

describe('features.md "Hooks"', () => {
  it('advertises every hook kind of v1.3.0, none of which create refuses', () => {
    expect(f.hooks).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
    for (const name of f.hooks!) expect(unsupportedFindings({ hooks: { [name]: [{ path: '/bin/true' }] } })).toEqual([]);
  });
  it('names only hooks config.md "POSIX-platform Hooks" defines', () => {
    for (const name of f.hooks!) expect(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']).toContain(name);
  });
});

describe('features.md "Mount Options"', () => {
  it('each advertised option is recognised by the plan: a flag, a propagation, an attribute, idmap or tmpcopyup, never data', () => {
    for (const o of f.mountOptions!) expect(parseMountOptions([o]).data, o).toEqual([]);
  });
  it('has every option of the spec example that ocirt acts on, and no filesystem data option', () => {
    expect(f.mountOptions).toEqual(expect.arrayContaining(['bind', 'rbind', 'ro', 'rro', 'rprivate', 'tmpcopyup', 'idmap', 'ridmap', 'nosymfollow']));
    for (const data of ['acl', 'noacl', 'mode=755', 'size=65536k', 'newinstance']) expect(f.mountOptions).not.toContain(data);
  });
});

describe('features-linux.md "Namespaces" and "Capabilities"', () => {
  it('each namespace is one the plan makes and the v1 schema accepts', () => {
    for (const type of linux.namespaces!) {
      expect(() => namespaceSet({ namespaces: [{ type }] }), type).not.toThrow();
      expect(schemaEnum('$defs', 'Namespace', 'properties', 'type')).toContain(type);
    }
    expect(schemaEnum('$defs', 'Namespace', 'properties', 'type')).toEqual(expect.arrayContaining(linux.namespaces!));
  });
  it("each capability is in the validation's table and has a bit in the plan's masks", () => {
    expect(linux.capabilities).toEqual([...CAPABILITIES]);
    const warnings: string[] = [];
    const all = (1n << BigInt(linux.capabilities!.length)) - 1n;
    const masks = capabilityMasks({ bounding: linux.capabilities }, 'v1', { lastCap: linux.capabilities!.length - 1, grantable: all }, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(masks.bounding).toBe(all);
  });
});

describe('features-linux.md "Seccomp"', () => {
  const lib = seccompNames();
  const rule = (action: string) => ({ defaultAction: action === 'SCMP_ACT_ALLOW' ? 'SCMP_ACT_ERRNO' : 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action }] });

  it('each action, operator, architecture and flag is in the v1 schema', () => {
    expect(schemaEnum('$defs', 'SeccompAction')).toEqual(expect.arrayContaining(seccomp.actions!));
    expect(schemaEnum('$defs', 'Seccomp', 'properties', 'syscalls', 'items', 'properties', 'args', 'items', 'properties', 'op')).toEqual(expect.arrayContaining(seccomp.operators!));
    expect(schemaEnum('$defs', 'Seccomp', 'properties', 'architectures', 'items')).toEqual(expect.arrayContaining(seccomp.archs!));
    expect(schemaEnum('$defs', 'Seccomp', 'properties', 'flags', 'items')).toEqual(expect.arrayContaining(seccomp.knownFlags!));
  });
  it.skipIf(!lib)('the compiler takes each action and each operator', () => {
    for (const action of seccomp.actions!) expect(() => compileSeccomp(rule(action)), action).not.toThrow();
    for (const op of seccomp.operators!) {
      const s = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op, value: 1, valueTwo: 1 }] }] };
      expect(() => compileSeccomp(s), op).not.toThrow();
    }
  });
  it.skipIf(!lib)('the compiler takes each known flag', () => {
    for (const flag of seccomp.knownFlags!) expect(() => compileSeccomp({ ...rule('SCMP_ACT_ERRNO'), flags: [flag] }), flag).not.toThrow();
  });
  it.skipIf(!lib)('the compiler recognises each architecture, and libseccomp knows it (only byte order may still keep it out of one filter)', () => {
    for (const arch of seccomp.archs!) {
      let message = '';
      try {
        compileSeccomp({ ...rule('SCMP_ACT_ERRNO'), architectures: [arch] });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, arch).not.toMatch(/unknown architecture|libseccomp does not know/);
    }
  });
  it('supportedFlags are known flags this kernel has (seccomp(2) "since Linux")', () => {
    expect(seccomp.knownFlags).toEqual(expect.arrayContaining(seccomp.supportedFlags!));
    expect(supportedSeccompFlags(seccomp.knownFlags!, '5.4.0-150-generic')).toEqual(['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']);
    expect(supportedSeccompFlags(seccomp.knownFlags!, '5.19.0')).toEqual(seccomp.knownFlags);
    expect(supportedSeccompFlags(seccomp.knownFlags!, '4.14.1')).toEqual(['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG']);
  });
  it.skipIf(!lib)('annotates the libseccomp version filters are compiled with', () => {
    expect(f.annotations).toEqual({ 'io.github.seccomp.libseccomp.version': lib!.version });
    expect(lib!.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('features-linux.md "MemoryPolicy", "Cgroup", "IntelRdt"', () => {
  it('each mode and flag is taken by the plan and the v1 schema', () => {
    for (const mode of linux.memoryPolicy!.modes!) expect(() => memoryPolicySteps({ mode }), mode).not.toThrow();
    for (const flag of linux.memoryPolicy!.flags!) expect(() => memoryPolicySteps({ mode: 'MPOL_BIND', nodes: '0', flags: [flag] }), flag).not.toThrow();
    expect(schemaEnum('$defs', 'Linux', 'properties', 'memoryPolicy', 'properties', 'mode')).toEqual(expect.arrayContaining(linux.memoryPolicy!.modes!));
    expect(schemaEnum('$defs', 'Linux', 'properties', 'memoryPolicy', 'properties', 'flags', 'items')).toEqual(expect.arrayContaining(linux.memoryPolicy!.flags!));
  });
  it('says rdma is supported exactly when create does not refuse linux.resources.rdma', () => {
    const refused = unsupportedFindings({ linux: { resources: { rdma: { mlx4_0: { hcaObjects: 1 } } } } }).length > 0;
    expect(linux.cgroup).toEqual({ v1: true, v2: true, systemd: false, systemdUser: false, rdma: !refused });
  });
  it('says intelRdt is not supported while the plan refuses it even with resctrl mounted', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'ocirt-features-'));
    mkdirSync(join(bundle, 'rootfs'));
    const plan = () =>
      buildPlan({
        config: { ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'mount' }], intelRdt: { closID: 'c' } } },
        edition: 'v1', rootfs: join(bundle, 'rootfs'), bundle, cgroupProcs: [], cgroup: { v1: [], pureV2: true }, noPivot: false, host: { selinux: false, resctrl: true },
      });
    expect(plan).toThrow('linux.intelRdt: not supported by ocirt yet');
    expect(linux.intelRdt).toEqual({ enabled: false });
  });
  it('potentiallyUnsafeConfigAnnotations is empty: ocirt acts on no config annotation', () => {
    expect(f.potentiallyUnsafeConfigAnnotations).toEqual([]);
  });
});
