// The state root (DESIGN.md "State"): one directory per container, mode 0700, holding `state.json`
// (written atomically: temporary file, rename) and `lock`. Nothing is fsynced (runc does not sync its state either):
// the rename guards against a killed process, and a host that crashes loses every container the
// state describes (liveness then says stopped, and delete falls back on the journal).
//
//   <root>/               0700, created on first use
//     <id>/               0700; its mkdir is the reservation of the id
//       state.json        StoredState
//       lock              flock(2) target, see lock.ts; create holds it from the reservation on
//       journal           what create made or is about to make, one JSON object a line (Journal):
//                         all delete needs to undo a create that died, even with state.json unreadable
//       state.answers     what `state` prints for each status, for the C front end (query.ts
//                         stateAnswers); removed before state.json changes and written after, so
//                         it is absent, never stale
//
// A state directory is removed only by a holder of its lock, so a holder that finds the directory
// without a state.json knows its creator died (or has yet to take the lock: it will find the
// directory gone and fail, having made nothing).

import * as fs from 'node:fs';
import { join } from 'node:path';
import { OciError, notFound, wrap } from '../errors.ts';
import { fileNameFor } from './file-name.ts';
import { validateId } from './id.ts';

/** state.answers: what `state` prints for each status, for the C front end (native/frontend). */
export const ANSWERS_FILE = 'state.answers';
/** hooks.json: config.json's hooks as create saw them (lifecycle/hooks.ts). */
export const HOOKS_FILE = 'hooks.json';

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

/**
 * What create records before it makes each thing (docs/reliability.md), so that `delete --force`
 * can undo a create killed at any moment. Appended, never rewritten: a line torn by a crash is skipped
 * and the one before it stands. The last line naming a key wins.
 */
export interface Journal {
  /** Before createCgroup: every directory it may make; after: the record of those it made. */
  cgroup?: { dirs: string[]; created: string[] };
  /** The init, written by the executor (main.c) as soon as it has the pid, before the init may outlive its creator. */
  init?: { pid: number; startTime: string };
  /** The mount namespace the container made (remove.ts tells its leftover processes by it). */
  mntNs?: string;
}

export const STATE_FILE = 'state.json';
export const LOCK_FILE = 'lock';
/** Also named in native/executor/main.c, which appends the init's line. */
export const JOURNAL_FILE = 'journal';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export class Store {
  readonly root: string;

  /** `answers`: the state.answers text for a state, if it has one (query.ts stateAnswers). */
  constructor(root: string, private readonly answers: (s: StoredState, dir: string) => string | undefined = () => undefined) {
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
    const s = this.load(id);
    if (s === 'absent') throw notFound(id);
    if (s instanceof OciError) throw s;
    return s;
  }

  /** state.json parsed; 'absent' when there is none; the error when it is not a whole state. Other read errors throw. */
  private load(id: string): StoredState | 'absent' | OciError {
    const file = join(this.dir(id), STATE_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
      throw wrap('syscall', `read ${file}`, err);
    }
    let s: StoredState;
    try {
      s = JSON.parse(text) as StoredState;
    } catch (err) {
      return wrap('internal', `corrupt state file ${file}`, err);
    }
    const whole = typeof s === 'object' && s !== null && s.id === id && typeof s.pid === 'number' && typeof s.phase === 'string';
    return whole ? s : new OciError('internal', `corrupt state file ${file}: not the state of container "${id}"`);
  }

  /**
   * state.json when it is there and whole; undefined when it is missing (a create that died before
   * writing it) or unreadable (cut short, or spoiled by hand), for `delete --force` to fall back on
   * the journal. Other read errors throw.
   */
  readIfWhole(id: string): StoredState | undefined {
    const s = this.load(id);
    return s === 'absent' || s instanceof OciError ? undefined : s;
  }

  /**
   * Appends one entry to the journal. Not fsynced: it guards against a killed process, whose writes
   * the page cache keeps; a host that crashes loses the processes and cgroups it lists anyway.
   */
  journal(id: string, entry: Journal): void {
    const file = join(this.dir(id), JOURNAL_FILE);
    try {
      fs.appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: FILE_MODE });
    } catch (err) {
      if (errCode(err) === 'ENOENT') throw notFound(id);
      throw wrap('syscall', `write the journal of container "${id}"`, err);
    }
  }

  /** The journal's entries folded into one (the last of each key wins); empty when there is none. */
  readJournal(id: string): Journal {
    let text: string;
    try {
      text = fs.readFileSync(join(this.dir(id), JOURNAL_FILE), 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') return {};
      throw wrap('syscall', `read the journal of container "${id}"`, err);
    }
    return parseJournal(text);
  }

  /** Atomic replacement of state.json. The container dir must exist (reserve). */
  write(s: StoredState): void {
    const dir = this.dir(s.id);
    const tmp = join(dir, `.${STATE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    try {
      fs.rmSync(join(dir, ANSWERS_FILE), { force: true });
      fs.writeFileSync(tmp, JSON.stringify(s), { mode: FILE_MODE, flag: 'wx' });
      fs.renameSync(tmp, join(dir, STATE_FILE));
      this.writeAnswers(dir, s);
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

  /** Derived from state.json: a crash leaves it absent (removed before), and the front end asks this program. */
  private writeAnswers(dir: string, s: StoredState): void {
    const text = this.answers(s, dir);
    if (text === undefined) return;
    const tmp = join(dir, `.${ANSWERS_FILE}.${process.pid}`);
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, join(dir, ANSWERS_FILE));
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

  /** True when the id's directory exists, with or without a state.json (a create in progress, or one that died). */
  reserved(id: string): boolean {
    return fs.existsSync(this.dir(id));
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

/** Journal lines folded in order; a line that is not a JSON object (torn by a crash) is skipped. */
export function parseJournal(text: string): Journal {
  const out: Journal = {};
  for (const line of text.split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const e = entry as Record<string, unknown>;
    if (isCgroupRecord(e.cgroup)) out.cgroup = e.cgroup;
    if (isInit(e.init)) out.init = e.init;
    if (typeof e.mntNs === 'string') out.mntNs = e.mntNs;
  }
  return out;
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCgroupRecord = (v: unknown): v is Journal['cgroup'] =>
  typeof v === 'object' && v !== null && isStrings((v as { dirs?: unknown }).dirs) && isStrings((v as { created?: unknown }).created);
const isInit = (v: unknown): v is Journal['init'] =>
  typeof v === 'object' && v !== null && Number.isInteger((v as { pid?: unknown }).pid) && (v as { pid: number }).pid > 0 && typeof (v as { startTime?: unknown }).startTime === 'string';

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
