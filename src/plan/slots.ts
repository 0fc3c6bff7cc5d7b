// The executor's fd slots (protocol.ts "Slots"): a step keeps an fd for a later one — the rootfs
// that every mount destination is resolved in (OPEN_ROOT), a host device node to bind, a user
// namespace of an id-mapped mount, the seccomp agent's connection.
import { specError } from '../errors.ts';

export class Slots {
  static readonly MAX = 64; // MAX_SLOTS in native/executor/steps.h
  private next = 0;
  take(field: string): number {
    if (this.next >= Slots.MAX) throw specError(`${field}: more than ${Slots.MAX} devices, id-mapped mounts and listeners`);
    return this.next++;
  }
}

