// config.md "Valid values": runtimes MUST generate an error for unsupported values, so fields the
// spec defines and ocirt does not implement yet are refused, never silently ignored. config.md
// "Extensibility": unknown properties MUST be ignored, so anything the spec does not define passes.
// A field that is absent, false, null or empty asks for nothing and passes too.
import { specError } from '../errors.ts';
import type { Config } from './config.ts';

const NOT_YET: Array<[path: string, fields: string[]]> = [
  ['', ['hooks']],
  ['process.', ['rlimits', 'apparmorProfile', 'capabilities', 'noNewPrivileges', 'oomScoreAdj', 'scheduler', 'selinuxLabel', 'ioPriority', 'execCPUAffinity']],
  ['linux.', ['devices', 'netDevices', 'resources', 'intelRdt', 'memoryPolicy', 'sysctl', 'seccomp', 'maskedPaths', 'readonlyPaths', 'mountLabel', 'personality']],
];

function asksForSomething(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function at(c: Config, path: string): Record<string, unknown> | undefined {
  const v = path === '' ? c : path === 'process.' ? c.process : c.linux;
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

export function refuseUnsupported(c: Config): void {
  for (const [path, fields] of NOT_YET) {
    const obj = at(c, path);
    for (const f of fields) {
      if (obj && asksForSomething(obj[f])) throw specError(`${path}${f}: not supported by ocirt yet; remove it or leave it empty`);
    }
  }
  (c.mounts ?? []).forEach((m, i) => {
    const idmap = m as { uidMappings?: unknown; gidMappings?: unknown };
    if (asksForSomething(idmap.uidMappings) || asksForSomething(idmap.gidMappings)) {
      throw specError(`mounts[${i}].uidMappings: id-mapped mounts are not supported by ocirt yet`);
    }
  });
  if (c.process?.terminal === true) throw specError('process.terminal: a terminal is not supported by ocirt yet');
}
