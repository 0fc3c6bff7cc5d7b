// config.md "Root" and config-linux.md "Rootfs Mount Propagation": the steps around the mounts.
import { MS, propagationFlag } from './mount-options.ts';
import type { Step } from './wire.ts';

/** Before any mount: cut propagation back to the host, and make the rootfs a mount point for pivot_root. */
export function rootfsPrepareSteps(rootfs: string, rootfsPropagation: string | undefined): Step[] {
  const label = 'linux.rootfsPropagation';
  // Recursive slave (runc's default) unless a propagation is asked for: nothing made inside reaches the host.
  const parent = rootfsPropagation ? propagationFlag(rootfsPropagation, label) | MS.REC : MS.SLAVE | MS.REC;
  return [
    { op: 'MOUNT', args: ['', '/', '', parent, ''], label },
    { op: 'MOUNT', args: [rootfs, rootfs, '', MS.BIND | MS.REC, ''], label: 'root.path' },
  ];
}

export interface RootOptions {
  rootfs: string;
  readonly: boolean;
  propagation: string | undefined;
  noPivot: boolean;
}

/** After the mounts: enter the rootfs, then its propagation and read-only flag. */
export function rootfsFinishSteps(r: RootOptions): Step[] {
  const steps: Step[] = [{ op: r.noPivot ? 'CHROOT' : 'PIVOT_ROOT', args: [r.rootfs], label: 'root.path' }];
  if (r.propagation) {
    steps.push({ op: 'MOUNT', args: ['', '/', '', propagationFlag(r.propagation, 'linux.rootfsPropagation'), ''], label: 'linux.rootfsPropagation' });
  }
  if (r.readonly) {
    steps.push({ op: 'MOUNT', args: ['', '/', '', MS.BIND | MS.REMOUNT | MS.RDONLY, ''], label: 'root.readonly' });
  }
  return steps;
}
