// The state root (DESIGN.md "State"): one directory per container, mode 0700, holding `state.json`
// (written atomically: temporary file, fsync, rename, fsync of the directory) and `lock`.
//
//   <root>/               0700, created on first use
//     <id>/               0700; its mkdir is the reservation of the id
//       state.json        StoredState
//       lock              flock(2) target, see lock.ts

import * as fs from 'node:fs';
import { join } from 'node:path';
import { OciError, notFound, wrap } from '../errors.ts';
import { fileNameFor } from './file-name.ts';
import { validateId } from './id.ts';

export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface StoredState {
  ociVersion: string;
  id: string;
  /**
   * The container's init. While `phase` is 'creating' and the init does not exist yet, the pid of
   * the ocirt process doing the create (0 when unknown), so that a create that died is seen.
   */
  pid: number;
  /** Field 22 of /proc/<pid>/stat when `pid` was recorded (liveness.ts). */
  pidStartTime?: string;
  bundle: string;
  rootfs: string;
  /** RFC3339Nano. */
  created: string;
  owner: string;
  annotations: Record<string, string>;
  /** What ocirt last did; the status is derived from it and liveness (deriveStatus). */
  phase: 'creating' | 'created' | 'started' | 'stopped';
  exitStatus?: number;
  edition: 'draft' | 'v1';
  cgroup?: { dirs: string[]; created: string[] };
  autoremove: boolean;
  namespaces: { type: string; path?: string }[];
  extra?: Record<string, unknown>;
}

export const STATE_FILE = 'state.json';
export const LOCK_FILE = 'lock';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export class Store {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The container's directory (file-name.ts); throws OciError('usage') for an invalid id. */
  dir(id: string): string {
    validateId(id);
    return join(this.root, fileNameFor(id));
  }

  /** mkdir of the container dir, exclusive: of N concurrent callers exactly one wins. */
  reserve(id: string): string {
    const dir = this.dir(id);
    this.ensureRoot();
    try {
      fs.mkdirSync(dir, { mode: DIR_MODE });
    } catch (err) {
      if (errCode(err) === 'EEXIST') throw new OciError('exists', `container "${id}" already exists`, err);
      throw wrap('syscall', `create state directory ${dir}`, err);
    }
    return dir;
  }

  read(id: string): StoredState {
    const file = join(this.dir(id), STATE_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(id);
      throw wrap('syscall', `read ${file}`, err);
    }
    try {
      return JSON.parse(text) as StoredState;
    } catch (err) {
      throw wrap('internal', `corrupt state file ${file}`, err);
    }
  }

  /** Atomic replacement of state.json. The container dir must exist (reserve). */
  write(s: StoredState): void {
    const dir = this.dir(s.id);
    const tmp = join(dir, `.${STATE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    try {
      writeFileSynced(tmp, JSON.stringify(s));
      fs.renameSync(tmp, join(dir, STATE_FILE));
      fsyncDir(dir);
    } catch (err) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // the write error is the one to report
      }
      if (errCode(err) === 'ENOENT') throw notFound(s.id);
      throw wrap('syscall', `write state of container "${s.id}"`, err);
    }
  }

  /** rm -rf of the container dir; an absent dir is not an error. */
  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  /** Ids that have a state.json, sorted. */
  list(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return [];
      throw wrap('syscall', `list ${this.root}`, err);
    }
    return names.flatMap((name) => (name.startsWith('~') ? this.idInside(name) : isValidId(name) && fs.existsSync(join(this.root, name, STATE_FILE)) ? [name] : [])).sort();
  }

  /** The id recorded in a hashed directory's state.json. */
  private idInside(name: string): string[] {
    try {
      return [(JSON.parse(fs.readFileSync(join(this.root, name, STATE_FILE), 'utf8')) as StoredState).id];
    } catch {
      return [];
    }
  }

  /** True when the container has a state.json (a reserved dir without one does not count). */
  exists(id: string): boolean {
    return fs.existsSync(join(this.dir(id), STATE_FILE));
  }

  private ensureRoot(): void {
    try {
      fs.mkdirSync(this.root, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw wrap('syscall', `create state root ${this.root}`, err);
    }
  }
}

/**
 * The status from what ocirt last did and whether the recorded process lives: 'creating' only while
 * the creating process lives; 'created' or 'started' with a dead init → 'stopped'; 'started' alive →
 * 'running'.
 */
export function deriveStatus(s: StoredState, alive: (pid: number, startTime?: string) => boolean): Status {
  if (s.phase === 'stopped') return 'stopped';
  const lives = s.pid > 0 && alive(s.pid, s.pidStartTime);
  if (!lives) return 'stopped';
  switch (s.phase) {
    case 'creating':
      return 'creating';
    case 'created':
      return 'created';
    case 'started':
      return 'running';
  }
}

function writeFileSynced(path: string, data: string): void {
  const fd = fs.openSync(path, 'wx', FILE_MODE);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function isValidId(name: string): boolean {
  try {
    validateId(name);
    return true;
  } catch {
    return false;
  }
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
