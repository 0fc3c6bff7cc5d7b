// config.md "Root" and config-linux.md "Rootfs Mount Propagation": the steps around the mounts.
import { MS, propagationFlag } from './mount-options.ts';
import type { Step } from './wire.ts';

/**
 * Before any mount: make every mount recursively a slave, so nothing made inside reaches the host,
 * and make the rootfs a mount point for pivot_root. rootfsPropagation is applied after pivot_root:
 * pivot_root refuses a new root whose parent mount is shared, and "shared" means a new peer group,
 * not one with the host (config-linux.md "Rootfs Mount Propagation"). Then the rootfs is opened
 * into `rootSlot`, after its bind, so that the mounts, whose destinations resolve in it, land on
 * the bind pivot_root enters.
 */
export function rootfsPrepareSteps(rootfs: string, rootSlot: number): Step[] {
  return [
    { op: 'MOUNT', args: ['', '/', '', MS.SLAVE | MS.REC, ''], label: 'mount namespace (make / a recursive slave)' },
    { op: 'MOUNT', args: [rootfs, rootfs, '', MS.BIND | MS.REC, ''], label: 'root.path' },
    { op: 'OPEN_ROOT', args: [rootSlot, rootfs], label: 'root.path' },
  ];
}

export interface RootOptions {
  readonly: boolean;
  rootfs: string;
  /** OPEN_ROOT's slot, closed once pivoted: a waiting init holds no fd of a host directory (CVE-2024-21626). */
  rootSlot: number;
  propagation: string | undefined;
  noPivot: boolean;
}

/** After the mounts: enter the rootfs, let go of its fd, then its propagation. */
export function pivotSteps(r: RootOptions): Step[] {
  const steps: Step[] = [
    { op: r.noPivot ? 'CHROOT' : 'PIVOT_ROOT', args: [r.rootfs], label: 'root.path' },
    { op: 'CLOSE_SLOT', args: [r.rootSlot], label: 'root.path' },
  ];
  if (r.propagation) {
    steps.push({ op: 'MOUNT', args: ['', '/', '', propagationFlag(r.propagation, 'linux.rootfsPropagation'), ''], label: 'linux.rootfsPropagation' });
  }
  return steps;
}

/** Last of the init's steps: what came before (device nodes) still writes into the rootfs. */
export function rootReadonlySteps(r: RootOptions): Step[] {
  return r.readonly ? [{ op: 'MOUNT', args: ['', '/', '', MS.BIND | MS.REMOUNT | MS.RDONLY, ''], label: 'root.readonly' }] : [];
}
