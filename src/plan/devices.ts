// config-linux.md "Default Devices": the runtime MUST supply these, and the /dev symlinks
// runtimes conventionally make (/dev/fd, stdin, stdout, stderr, ptmx).
import type { Step } from './wire.ts';

const S_IFCHR = 0o020000;

export const DEFAULT_DEVICES = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
] as const;

export const DEV_SYMLINKS: Array<[target: string, link: string]> = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

/**
 * In a new user namespace mknod is not allowed, so the host's nodes are bind-mounted instead
 * (what runc does). `uid`/`gid` own the nodes: the container's root as the host sees it.
 */
export function deviceSteps(rootfs: string, inUserNs: boolean, uid: number, gid: number): Step[] {
  const label = 'default devices (config-linux.md "Default Devices")';
  const steps: Step[] = [{ op: 'MKDIR_P', args: [`${rootfs}/dev`, 0o755], label }];
  for (const d of DEFAULT_DEVICES) {
    const target = rootfs + d.path;
    if (inUserNs) {
      steps.push({ op: 'MKFILE_P', args: [target], label }, { op: 'MOUNT', args: [d.path, target, '', 0x1000, ''], label });
    } else {
      steps.push({ op: 'MKNOD', args: [target, S_IFCHR | 0o666, d.major, d.minor, uid, gid], label });
    }
  }
  for (const [target, link] of DEV_SYMLINKS) steps.push({ op: 'SYMLINK', args: [target, rootfs + link], label: `${link} symlink` });
  return steps;
}
