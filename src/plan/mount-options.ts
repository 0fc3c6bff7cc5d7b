// Linux mount options of config.md "Linux mount options" → mount(2) flags, propagation,
// mount_setattr(2) recursive attributes, and the filesystem data string.
import { specError } from '../errors.ts';

export const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, REMOUNT: 0x20, MANDLOCK: 0x40,
  DIRSYNC: 0x80, NOSYMFOLLOW: 0x100, NOATIME: 0x400, NODIRATIME: 0x800, BIND: 0x1000, MOVE: 0x2000,
  REC: 0x4000, SILENT: 0x8000, UNBINDABLE: 0x20000, PRIVATE: 0x40000, SLAVE: 0x80000, SHARED: 0x100000,
  RELATIME: 0x200000, I_VERSION: 0x800000, STRICTATIME: 0x1000000, LAZYTIME: 0x2000000,
} as const;

export const MOUNT_ATTR = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, ATIME_MASK: 0x70, RELATIME: 0x0, NOATIME: 0x10,
  STRICTATIME: 0x20, NODIRATIME: 0x80, NOSYMFOLLOW: 0x200000,
} as const;
export const AT_RECURSIVE = 0x8000;

/** option → [flags to set, flags to clear] */
export const FLAGS: Record<string, [number, number]> = {
  async: [0, MS.SYNCHRONOUS], atime: [0, MS.NOATIME], bind: [MS.BIND, 0], defaults: [0, 0],
  dev: [0, MS.NODEV], diratime: [0, MS.NODIRATIME], dirsync: [MS.DIRSYNC, 0], exec: [0, MS.NOEXEC],
  iversion: [MS.I_VERSION, 0], lazytime: [MS.LAZYTIME, 0], loud: [0, MS.SILENT], mand: [MS.MANDLOCK, 0],
  noatime: [MS.NOATIME, 0], nodev: [MS.NODEV, 0], nodiratime: [MS.NODIRATIME, 0], noexec: [MS.NOEXEC, 0],
  noiversion: [0, MS.I_VERSION], nolazytime: [0, MS.LAZYTIME], nomand: [0, MS.MANDLOCK],
  norelatime: [0, MS.RELATIME], nostrictatime: [0, MS.STRICTATIME], nosuid: [MS.NOSUID, 0],
  nosymfollow: [MS.NOSYMFOLLOW, 0], rbind: [MS.BIND | MS.REC, 0], relatime: [MS.RELATIME, 0],
  remount: [MS.REMOUNT, 0], ro: [MS.RDONLY, 0], rw: [0, MS.RDONLY], silent: [MS.SILENT, 0],
  strictatime: [MS.STRICTATIME, 0], suid: [0, MS.NOSUID], symfollow: [0, MS.NOSYMFOLLOW],
  sync: [MS.SYNCHRONOUS, 0],
};

export const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};

const A = MOUNT_ATTR;
/** recursive option → [attributes to set, attributes to clear] for mount_setattr(AT_RECURSIVE) */
export const RECURSIVE: Record<string, [number, number]> = {
  rro: [A.RDONLY, 0], rrw: [0, A.RDONLY], rnosuid: [A.NOSUID, 0], rsuid: [0, A.NOSUID],
  rnodev: [A.NODEV, 0], rdev: [0, A.NODEV], rnoexec: [A.NOEXEC, 0], rexec: [0, A.NOEXEC],
  rnodiratime: [A.NODIRATIME, 0], rdiratime: [0, A.NODIRATIME], rnosymfollow: [A.NOSYMFOLLOW, 0],
  rsymfollow: [0, A.NOSYMFOLLOW], rnoatime: [A.NOATIME, A.ATIME_MASK], ratime: [A.RELATIME, A.ATIME_MASK],
  rrelatime: [A.RELATIME, A.ATIME_MASK], rnorelatime: [A.RELATIME, A.ATIME_MASK],
  rstrictatime: [A.STRICTATIME, A.ATIME_MASK], rnostrictatime: [A.RELATIME, A.ATIME_MASK],
};

export interface ParsedOptions {
  flags: number;
  cleared: number;
  propagation: number[];
  recursiveSet: number;
  recursiveClear: number;
  data: string[];
  /** config.md "Linux mount options": never passed to mount(2) */
  idmap?: 'idmap' | 'ridmap';
  tmpcopyup: boolean;
}

export function parseMountOptions(options: string[]): ParsedOptions {
  const p: ParsedOptions = { flags: 0, cleared: 0, propagation: [], recursiveSet: 0, recursiveClear: 0, data: [], tmpcopyup: false };
  options.forEach((o) => {
    if (o === 'idmap' || o === 'ridmap') return void (p.idmap = o);
    if (o === 'tmpcopyup') return void (p.tmpcopyup = true);
    const flag = FLAGS[o];
    const rec = RECURSIVE[o];
    if (flag) {
      p.flags = (p.flags & ~flag[1]) | flag[0];
      p.cleared = (p.cleared & ~flag[0]) | flag[1];
    } else if (PROPAGATION[o] !== undefined) p.propagation.push(PROPAGATION[o]);
    else if (rec) {
      p.recursiveSet = (p.recursiveSet & ~rec[1]) | rec[0];
      p.recursiveClear = (p.recursiveClear & ~rec[0]) | rec[1];
    } else p.data.push(o);
  });
  return p;
}

/** rootfsPropagation and the propagation of "/" (config-linux.md "Rootfs Mount Propagation"). */
export function propagationFlag(name: string, field: string): number {
  const flag = PROPAGATION[name];
  if (flag === undefined) {
    throw specError(`${field}: "${name}" is not one of shared, slave, private, unbindable (or their r- forms)`);
  }
  return flag;
}
