// Fields of config.json that ocirt does not implement yet are refused, never silently ignored.
// A field that is absent, false, or empty asks for nothing and passes.
import { specError } from '../errors.ts';
import type { Config } from './config.ts';

const TOP = ['ociVersion', 'root', 'process', 'mounts', 'hostname', 'domainname', 'annotations', 'linux', 'platform'];
const PROCESS = ['terminal', 'user', 'args', 'env', 'cwd', 'consoleSize'];
const USER = ['uid', 'gid', 'umask', 'additionalGids', 'username'];
const LINUX = ['namespaces', 'uidMappings', 'gidMappings', 'timeOffsets', 'cgroupsPath', 'rootfsPropagation'];

function asksForSomething(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function refuseUnknown(obj: unknown, known: string[], prefix: string): void {
  if (obj === null || typeof obj !== 'object') return;
  for (const [key, value] of Object.entries(obj)) {
    if (!known.includes(key) && asksForSomething(value)) {
      throw specError(`${prefix}${key}: not supported by ocirt yet; remove it or leave it empty`);
    }
  }
}

export function refuseUnsupported(c: Config): void {
  refuseUnknown(c, TOP, '');
  refuseUnknown(c.process, PROCESS, 'process.');
  refuseUnknown(c.process?.user, USER, 'process.user.');
  refuseUnknown(c.linux, LINUX, 'linux.');
  if (c.process?.terminal === true) throw specError('process.terminal: a terminal is not supported by ocirt yet');
}
