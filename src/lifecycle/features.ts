// features.md and features-linux.md: what this build of ocirt recognises, each list taken from the
// table of the code that implements it, so it cannot drift from what create accepts. "The Features
// structure MUST NOT contain properties that are not defined in this version" (features.md
// "Specification version"), and every property but the two versions MAY be absent: what ocirt
// cannot state truthfully is left out rather than guessed.
import { release } from 'node:os';
import { ACTIONS as COMPILED_ACTIONS, FLAGS as COMPILED_FLAGS, OPERATORS as COMPILED_OPERATORS } from '../linux/seccomp-compile.ts';
import { seccompNames } from '../linux/seccomp-names.ts';
import { CAPABILITY_NAMES } from '../plan/capabilities.ts';
import { FLAGS as MOUNT_FLAGS, PROPAGATION, RECURSIVE } from '../plan/mount-options.ts';
import { NAMESPACE_FLAGS } from '../plan/namespaces.ts';
import { MODE_FLAGS, MODES } from '../plan/personality.ts';
import { HOOKS } from '../spec/checks/hooks.ts';
import { ACTIONS, ARCHES, FLAGS, OPERATORS } from '../spec/checks/seccomp.ts';
import { unsupportedFindings } from '../spec/unsupported.ts';

interface Enabled {
  enabled?: boolean;
}

export interface LinuxFeatures {
  namespaces?: string[];
  capabilities?: string[];
  cgroup?: { v1?: boolean; v2?: boolean; systemd?: boolean; systemdUser?: boolean; rdma?: boolean };
  seccomp?: Enabled & { actions?: string[]; operators?: string[]; archs?: string[]; knownFlags?: string[]; supportedFlags?: string[] };
  apparmor?: Enabled;
  selinux?: Enabled;
  memoryPolicy?: { modes?: string[]; flags?: string[] };
  intelRdt?: Enabled & { schemata?: boolean; monitoring?: boolean };
  mountExtensions?: { idmap?: Enabled };
  netDevices?: Enabled;
}

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks?: string[];
  mountOptions?: string[];
  linux?: LinuxFeatures;
  annotations?: Record<string, string>;
  potentiallyUnsafeConfigAnnotations?: string[];
}

/**
 * edition.ts gives every 0.x its draft semantics (the create/start draft, 0.6.0-dev); the oldest
 * version whose config.json has the draft's shape, and the one docs/design.md "Two editions" names
 * first, is 0.5.0. The newest edition ocirt implements is 1.3.0 (a later 1.x is taken with a warning).
 */
export const OCI_VERSION_MIN = '0.5.0';
export const OCI_VERSION_MAX = '1.3.0';

/**
 * seccomp(2): the Linux version that added each flag. ocirt hands `flags` to seccomp(2) itself
 * (the executor, not libseccomp, loads the filter), so what the kernel takes is what is supported.
 */
const FLAG_SINCE: Record<string, [number, number]> = {
  SECCOMP_FILTER_FLAG_TSYNC: [3, 17],
  SECCOMP_FILTER_FLAG_LOG: [4, 14],
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: [4, 17],
  SECCOMP_FILTER_FLAG_NEW_LISTENER: [5, 0],
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH: [5, 7],
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: [5, 19],
};

/** A name counts when both the validation and the code that acts on it take it. */
const both = (checked: readonly string[], implemented: Record<string, unknown>) => checked.filter((n) => n in implemented);

/** config.md "Linux mount options": the names parseMountOptions acts on, never passed as data. */
function mountOptions(): string[] {
  const named = [...Object.keys(MOUNT_FLAGS), ...Object.keys(PROPAGATION), ...Object.keys(RECURSIVE), 'idmap', 'ridmap', 'tmpcopyup'];
  return [...new Set(named)].sort();
}

/** The hooks create does not refuse (unsupported.ts): every kind of v1.3.0. */
function hooks(): string[] {
  return Object.keys(HOOKS.v1).filter((name) => unsupportedFindings({ hooks: { [name]: [{ path: '/' }] } }).length === 0);
}

/** linux.resources.rdma, unless unsupported.ts still refuses it. */
function rdmaApplied(): boolean {
  return unsupportedFindings({ linux: { resources: { rdma: { mlx5_0: { hcaHandles: 1 } } } } }).length === 0;
}

/** "6.18.44-fc-v857" → [6, 18] */
function kernelVersion(text: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function supportedSeccompFlags(known: string[], kernel = release()): string[] {
  const [major, minor] = kernelVersion(kernel);
  return known.filter((f) => {
    const since = FLAG_SINCE[f];
    return since !== undefined && (major > since[0] || (major === since[0] && minor >= since[1]));
  });
}

function seccompFeatures(): NonNullable<LinuxFeatures['seccomp']> {
  const knownFlags = both(FLAGS, COMPILED_FLAGS);
  return {
    enabled: true,
    actions: both(ACTIONS.v1, COMPILED_ACTIONS),
    operators: both(OPERATORS, COMPILED_OPERATORS),
    // Those validation names that this host's libseccomp resolves: the compiler refuses the others.
    archs: ARCHES.v1.filter((a) => seccompNames()?.archKnown(a) ?? false),
    knownFlags,
    supportedFlags: supportedSeccompFlags(knownFlags),
  };
}

function linuxFeatures(): LinuxFeatures {
  return {
    namespaces: Object.keys(NAMESPACE_FLAGS),
    capabilities: [...CAPABILITY_NAMES],
    // cgroup-layout.ts places containers in v1, v2 and hybrid hierarchies itself; --systemd-cgroup
    // is parsed but no systemd manager exists.
    cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: rdmaApplied() },
    seccomp: seccompFeatures(),
    // plan/process.ts writes apparmorProfile and selinuxLabel as exec labels (where the host enforces the LSM).
    apparmor: { enabled: true },
    selinux: { enabled: true },
    memoryPolicy: { modes: Object.keys(MODES), flags: Object.keys(MODE_FLAGS) },
    // plan/build.ts refuses linux.intelRdt ("not supported by ocirt yet"), resctrl or not.
    intelRdt: { enabled: false },
    // plan/mounts.ts makes id-mapped bind mounts from a mount's uidMappings/gidMappings.
    mountExtensions: { idmap: { enabled: true } },
    // plan/net-devices.ts moves linux.netDevices into the container's network namespace.
    netDevices: { enabled: true },
  };
}

/** features.md "Annotations": the libseccomp ocirt compiles filters with, when it can be loaded. */
function annotations(): Record<string, string> {
  const lib = seccompNames();
  return lib ? { 'io.github.seccomp.libseccomp.version': lib.version } : {};
}

/** The Features structure of `ocirt features`. */
export function features(): Features {
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: hooks(),
    mountOptions: mountOptions(),
    linux: linuxFeatures(),
    annotations: annotations(),
    // ocirt keeps config annotations in the state and acts on none of them.
    potentiallyUnsafeConfigAnnotations: [],
  };
}
