// `ocirt spec`: a starting config.json, like `runc spec`, asking only for what ocirt runs today (no
// capabilities, rlimits, noNewPrivileges, masked or read-only paths, resources, or terminal: create
// refuses those, unsupported.ts), so that `ocirt spec` then `ocirt run` works on a rootfs at
// `rootfs/` with a shell. `--rootless` follows runc: a user namespace mapping the caller's uid and
// gid, no network namespace, /sys bound from the host instead of a new sysfs (sysfs needs a network
// namespace owned by the user namespace), and no gid=5 on /dev/pts (unmapped).
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OciError } from '../errors.ts';
import type { Edition } from './edition.ts';

export interface TemplateOptions {
  edition: Edition;
  rootless: boolean;
  uid: number; // the caller's, mapped to 0 in the container when rootless
  gid: number;
  arch: string; // Go's GOARCH name, for the draft's platform.arch
}

type Json = Record<string, unknown>;

/** Node's process.arch → Go's GOARCH, which the draft's platform.arch uses. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return names[arch] ?? arch;
}

function mounts(o: TemplateOptions): Json[] {
  const sys = o.rootless
    ? { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
    : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
  const list: Json[] = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(o.rootless ? [] : ['gid=5'])] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    sys,
  ];
  // A cgroup v1 hierarchy cannot be mounted from a user namespace; the rbind of /sys brings the host's.
  if (!o.rootless) list.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });
  return list;
}

function linux(o: TemplateOptions): Json {
  // The draft has no cgroup namespace (draft config-linux.md "Namespaces").
  const types = ['pid', ...(o.rootless ? [] : ['network']), 'ipc', 'uts', 'mount', ...(o.edition === 'v1' ? ['cgroup'] : []), ...(o.rootless ? ['user'] : [])];
  const out: Json = { namespaces: types.map((type) => ({ type })) };
  if (o.rootless) {
    out.uidMappings = [{ containerID: 0, hostID: o.uid, size: 1 }];
    out.gidMappings = [{ containerID: 0, hostID: o.gid, size: 1 }];
  }
  return out;
}

/** The starting config for an edition: v1.3.0, or the draft's 0.6.0-dev shape (platform, root.autoremove). */
export function specTemplate(o: TemplateOptions): Json {
  const draft = o.edition === 'draft';
  return {
    ociVersion: draft ? '0.6.0-dev' : '1.3.0',
    ...(draft ? { platform: { os: 'linux', arch: o.arch } } : {}),
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
    },
    root: { path: 'rootfs', readonly: true, ...(draft ? { autoremove: false } : {}) },
    hostname: 'ocirt',
    mounts: mounts(o),
    linux: linux(o),
  };
}

/** Writes `dir`/config.json; refuses to overwrite one (like runc). */
export function writeSpec(dir: string | undefined, o: TemplateOptions): string {
  const path = join(resolve(dir ?? '.'), 'config.json');
  try {
    writeFileSync(path, JSON.stringify(specTemplate(o), null, '\t') + '\n', { flag: 'wx', mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OciError('exists', `${path} already exists; remove it first (ocirt spec does not overwrite)`, err);
    throw new OciError('syscall', `cannot write ${path}: ${code ?? String(err)}`, err);
  }
  return path;
}
