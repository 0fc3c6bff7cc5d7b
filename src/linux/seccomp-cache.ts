// Compiled seccomp profiles, kept under the state root (docs/performance.md): libseccomp takes ~17 ms
// for podman's default profile, every create. The key is the profile as JSON, the architecture,
// and the identity of the libseccomp file this process loaded (a new libseccomp may know syscalls
// the old one skipped, so its filter would be another). "@" is in no container id: the directory
// is never taken for a container (store.ts list).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSeccomp, loadLibseccomp, type CompiledSeccomp } from './seccomp-compile.ts';
import { sha256Hex } from '../sha256.ts';

export const CACHE_DIR = '@seccomp';
const FORMAT = 1;

/** dev:ino:size:mtime of the libseccomp this process loads, or undefined (then nothing is cached). */
function libseccompIdentity(): string | undefined {
  loadLibseccomp();
  const line = readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => /\/libseccomp\.so[.0-9]*$/.test(l));
  const path = line?.slice(line.indexOf('/'));
  if (path === undefined) return undefined;
  const st = statSync(path);
  return `${path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

interface Entry {
  format: number;
  bpf: string; // base64
  flags: number;
  notify: boolean;
  warnings: string[];
  notes: string[];
}

/** compileSeccomp, through the cache under `root`; a cache that cannot be read or written is skipped. */
export function compileSeccompCached(seccomp: unknown, root: string): CompiledSeccomp {
  const identity = libseccompIdentity();
  if (identity === undefined) return compileSeccomp(seccomp);
  const key = sha256Hex(`${FORMAT}\0${process.arch}\0${identity}\0${JSON.stringify(seccomp)}`);
  const file = join(root, CACHE_DIR, `${key}.json`);
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    if (e.format === FORMAT) return { bpf: Buffer.from(e.bpf, 'base64'), flags: e.flags, notify: e.notify, warnings: e.warnings, notes: e.notes };
  } catch {
    /* not cached yet, or unreadable: compiled below */
  }
  const c = compileSeccomp(seccomp);
  try {
    mkdirSync(join(root, CACHE_DIR), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, bpf: c.bpf.toString('base64'), flags: c.flags, notify: c.notify, warnings: c.warnings, notes: c.notes } satisfies Entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    /* a root that cannot hold the cache only costs the next create the compilation */
  }
  return c;
}
