// config.md "Valid values": runtimes MUST generate an error for unsupported values, so fields the
// spec defines and ocirt does not implement yet are refused by create and run, never silently
// ignored. They are ocirt's limits, not the bundle's faults: `ocirt validate` reports them as
// warnings (validate.ts). config.md "Extensibility": unknown properties MUST be ignored, so anything
// the spec does not define passes. A field that is absent, false, null or empty asks for nothing.
import { pointerOf, type Finding } from './findings.ts';

const NOT_YET: Array<[path: string[], fields: string[]]> = [
  [[], ['hooks']],
  [['process'], ['rlimits', 'apparmorProfile', 'capabilities', 'noNewPrivileges', 'oomScoreAdj', 'scheduler', 'selinuxLabel', 'ioPriority', 'execCPUAffinity']],
  [['linux'], ['devices', 'netDevices', 'resources', 'intelRdt', 'memoryPolicy', 'sysctl', 'seccomp', 'maskedPaths', 'readonlyPaths', 'mountLabel', 'personality']],
];

/** Where the spec defines each refused field, for the finding's reference. */
const SECTION: Record<string, [file: string, section: string]> = {
  hooks: ['config.md', 'POSIX-platform Hooks'],
  process: ['config.md', 'Linux Process'],
  rlimits: ['config.md', 'POSIX process'],
  devices: ['config-linux.md', 'Devices'],
  netDevices: ['config-linux.md', 'Network Devices'],
  resources: ['config-linux.md', 'Control groups'],
  intelRdt: ['config-linux.md', 'IntelRdt'],
  memoryPolicy: ['config-linux.md', 'Memory policy'],
  sysctl: ['config-linux.md', 'Sysctl'],
  seccomp: ['config-linux.md', 'Seccomp'],
  maskedPaths: ['config-linux.md', 'Masked Paths'],
  readonlyPaths: ['config-linux.md', 'Readonly Paths'],
  mountLabel: ['config-linux.md', 'Mount Label'],
  personality: ['config-linux.md', 'Personality'],
  mounts: ['config.md', 'POSIX-platform Mounts'],
  terminal: ['config.md', 'Process'],
};

export const NOT_SUPPORTED = 'not supported by ocirt yet';

/** Mount options ocirt does not implement yet (plan/mount-options.ts refuses them too). */
export const REFUSED_MOUNT_OPTIONS: ReadonlySet<string> = new Set(['tmpcopyup', 'idmap', 'ridmap']);

function asksForSomething(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function objectAt(c: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  const v = path.length === 0 ? c : c[path[0]!];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function refusal(path: Array<string | number>, key: string, message: string, fix: string): Finding {
  const [file, section] = SECTION[key]!;
  return { pointer: pointerOf(path), message, severity: 'error', reference: { file: `v1.3.0/${file}`, section }, fix };
}

/** Every spec field the config asks for that ocirt cannot do yet, as errors (create's view). */
export function unsupportedFindings(c: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  for (const [path, fields] of NOT_YET) {
    const obj = objectAt(c, path);
    for (const f of fields) {
      if (obj && asksForSomething(obj[f])) out.push(refusal([...path, f], f in SECTION ? f : path[0]!, `${NOT_SUPPORTED}; remove it or leave it empty`, 'remove it or leave it empty'));
    }
  }
  const mounts = Array.isArray(c.mounts) ? (c.mounts as unknown[]) : [];
  mounts.forEach((m, i) => {
    const mount = (m ?? {}) as { uidMappings?: unknown; gidMappings?: unknown; options?: unknown };
    const key = asksForSomething(mount.uidMappings) ? 'uidMappings' : asksForSomething(mount.gidMappings) ? 'gidMappings' : undefined;
    if (key) out.push(refusal(['mounts', i, key], 'mounts', `id-mapped mounts are ${NOT_SUPPORTED}`, 'remove uidMappings and gidMappings from the mount'));
    (Array.isArray(mount.options) ? (mount.options as unknown[]) : []).forEach((o, j) => {
      if (typeof o === 'string' && REFUSED_MOUNT_OPTIONS.has(o)) out.push(refusal(['mounts', i, 'options', j], 'mounts', `mount option "${o}" is ${NOT_SUPPORTED}`, 'remove the option'));
    });
  });
  const p = objectAt(c, ['process']);
  if (p?.terminal === true) out.push(refusal(['process', 'terminal'], 'terminal', `a terminal is ${NOT_SUPPORTED}`, 'set it to false'));
  return out;
}
