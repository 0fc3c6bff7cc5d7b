// What every semantic check shares: a tolerant walk of config.json (a node of the wrong type is
// skipped — the schema reports shapes), where each edition's spec says a thing (file and section),
// and a collector of findings. A check never throws on the document it is given.
import { statSync } from 'node:fs';
import type { Edition } from '../edition.ts';
import { pointerOf, type Finding, type Severity, type SpecReference } from '../findings.ts';

export interface CheckContext {
  edition: Edition;
  /** anchors relative paths such as root.path */
  bundleDir: string;
}

export type Doc = Record<string, unknown>;
export type Path = Array<string | number>;

/** One named check: runc's validate style, a list of small functions. */
export type Check = (config: Doc, ctx: CheckContext) => Finding[];

export const obj = (v: unknown): Doc | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The object at `path` under `c`, or undefined when any step is missing or not an object. */
export function objAt(c: Doc, ...path: string[]): Doc | undefined {
  let node: Doc | undefined = c;
  for (const key of path) node = node && obj(node[key]);
  return node;
}

/** Each element of the array at `key` of `node` with its index (none when it is not an array). */
export const entries = (node: Doc | undefined, key: string): Array<[number, unknown]> => arr(node?.[key]).map((v, i) => [i, v]);

// Where each edition says it: [file, section heading]. The draft's headings differ from v1.3.0's.
type Place = readonly [file: string, section: string];
const SECTIONS = {
  version: { v1: ['config.md', 'Specification version'], draft: ['config.md', 'Specification version'] },
  root: { v1: ['config.md', 'Root'], draft: ['config.md', 'Root Configuration'] },
  mounts: { v1: ['config.md', 'Mounts'], draft: ['config.md', 'Mounts'] },
  posixMounts: { v1: ['config.md', 'POSIX-platform Mounts'] },
  mountOptions: { v1: ['config.md', 'Linux mount options'] },
  process: { v1: ['config.md', 'Process'], draft: ['config.md', 'Process configuration'] },
  posixProcess: { v1: ['config.md', 'POSIX process'], draft: ['config.md', 'Process configuration'] },
  linuxProcess: { v1: ['config.md', 'Linux Process'], draft: ['config.md', 'Process configuration'] },
  user: { v1: ['config.md', 'POSIX-platform User'], draft: ['config.md', 'Linux and Solaris User'] },
  hostname: { v1: ['config.md', 'Hostname'], draft: ['config.md', 'Hostname'] },
  domainname: { v1: ['config.md', 'Domainname'] },
  hooks: { v1: ['config.md', 'POSIX-platform Hooks'], draft: ['config.md', 'Hooks'] },
  namespaces: { v1: ['config-linux.md', 'Namespaces'], draft: ['config-linux.md', 'Namespaces'] },
  idMappings: { v1: ['config-linux.md', 'User namespace mappings'], draft: ['config-linux.md', 'User namespace mappings'] },
  timeOffsets: { v1: ['config-linux.md', 'Offset for Time Namespace'] },
  devices: { v1: ['config-linux.md', 'Devices'], draft: ['config-linux.md', 'Devices'] },
  sysctl: { v1: ['config-linux.md', 'Sysctl'], draft: ['config-linux.md', 'Sysctl'] },
  seccomp: { v1: ['config-linux.md', 'Seccomp'], draft: ['config-linux.md', 'seccomp'] },
  maskedPaths: { v1: ['config-linux.md', 'Masked Paths'] },
  readonlyPaths: { v1: ['config-linux.md', 'Readonly Paths'] },
} as const satisfies Record<string, { v1?: Place; draft?: Place }>;

export type Section = keyof typeof SECTIONS;

const EDITION_DIR: Record<Edition, string> = { v1: 'v1.3.0', draft: 'draft' };

/** The edition's file and section; a section only v1.3.0 has is cited from v1.3.0. */
export function reference(edition: Edition, section: Section): SpecReference {
  const places: { v1?: Place; draft?: Place } = SECTIONS[section];
  const e: Edition = places[edition] ? edition : 'v1';
  const [file, heading] = places[e] ?? places.v1 ?? places.draft!;
  return { file: `${EDITION_DIR[e]}/${file}`, section: heading };
}

/** Collects one check's findings. */
export class Findings {
  readonly list: Finding[] = [];
  constructor(private readonly edition: Edition) {}

  add(severity: Severity, path: Path, section: Section, message: string, fix?: string): void {
    this.list.push({ pointer: pointerOf(path), message, severity, reference: reference(this.edition, section), ...(fix ? { fix } : {}) });
  }
  error(path: Path, section: Section, message: string, fix?: string): void {
    this.add('error', path, section, message, fix);
  }
  warning(path: Path, section: Section, message: string, fix?: string): void {
    this.add('warning', path, section, message, fix);
  }
}

/** A path as the kernel reads it: absolute means it starts with "/". */
export const isAbsolutePath = (p: string) => p.startsWith('/');

export type FileKind = 'missing' | 'directory' | 'file' | 'other';

/** What is at `path` (symlinks followed), or why it cannot be looked at; never throws. */
export function fileKind(path: string): FileKind | { error: string } {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return 'missing';
    return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTDIR' ? 'missing' : { error: code ?? String(err) };
  }
}

/** A value quoted for a message, on one line and at most 80 characters. */
export function q(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 76)}..."` : s;
}

export interface NamespaceEntry {
  index: number;
  type: string;
  /** the entry's path; a string here means the namespace is joined, not created */
  path: unknown;
}

/** linux.namespaces entries that are objects with a string type, in order. */
export function namespaceEntries(c: Doc): NamespaceEntry[] {
  const out: NamespaceEntry[] = [];
  for (const [index, v] of entries(objAt(c, 'linux'), 'namespaces')) {
    const ns = obj(v);
    const type = str(ns?.type);
    if (ns && type !== undefined) out.push({ index, type, path: ns.path });
  }
  return out;
}

/** The first entry of a namespace type, if the config has one. */
export const namespaceOf = (c: Doc, type: string) => namespaceEntries(c).find((n) => n.type === type);

/** A namespace entry asks to join an existing namespace when it has a path (even an empty or wrong one). */
export const isJoined = (n: NamespaceEntry) => typeof n.path === 'string';

/** `{"type": "uts"}` for a fix. */
export const addNamespace = (type: string) => `add {"type": "${type}"} to linux.namespaces`;
