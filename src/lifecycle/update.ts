// `update` (runc's command): change the cgroup limits of a live container. `--resources FILE` (`-`:
// stdin) is a LinuxResources object (config-linux.md "Control groups"), checked by the same schema
// as config.json; else runc's individual flags. Only what is given is written, with
// memory.checkBeforeUpdate honoured. Device rules: see updateDeviceRules.
import { readFileSync } from 'node:fs';
import { stateError, usageError, messageOf } from '../errors.ts';
import { updateDeviceRules } from '../linux/cgroup-devices.ts';
import { applyResources, type LinuxResources } from '../linux/cgroup-resources.ts';
import { detectLayout } from '../linux/cgroups.ts';
import type { UpdateValues } from '../cli/grammar.ts';
import type { Config } from '../spec/config.ts';
import { errorsIn } from '../spec/findings.ts';
import { InvalidConfig } from '../spec/report.ts';
import { schemaFindings } from '../spec/schema/index.ts';
import { withLock } from '../state/lock.ts';
import { statusOf } from './query.ts';
import type { Runtime } from './runtime.ts';

export async function update(rt: Runtime, id: string, file: string | undefined, values: UpdateValues): Promise<void> {
  const resources = file === undefined ? fromFlags(values) : readResources(file);
  await withLock(rt.store, id, () => {
    const s = rt.store.read(id);
    const status = statusOf(s);
    if (status === 'stopped' || status === 'creating') throw stateError(`cannot update a container that is ${status}`);
    if (!s.cgroup) throw stateError(`container "${id}" has no cgroup`);
    const { devices, ...rest } = resources;
    if (rest.memory && rest.memory.checkBeforeUpdate === undefined && s.extra?.checkBeforeUpdate === true) rest.memory = { ...rest.memory, checkBeforeUpdate: true };
    if (devices !== undefined) updateDevices(s.cgroup.dirs, s.extra?.devices as Config['linux'], devices);
    applyResources(rest, { layout: detectLayout(), dirs: s.cgroup.dirs }, { update: true }).forEach(rt.warn);
  });
}

/** The create-time device config (state.extra.devices) against the same with the new rules. */
function updateDevices(dirs: string[], before: Config['linux'], rules: unknown): void {
  const config = (linux: Config['linux']): Config => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, linux });
  updateDeviceRules(dirs, config(before), config({ ...before, resources: { devices: rules } }));
}

function readResources(file: string): LinuxResources {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw usageError(`update: --resources: ${file === '-' ? 'stdin' : file}: ${messageOf(err)}`, err);
  }
  // The config schema's linux.resources, so a bad value is named as create would name it.
  const errors = errorsIn(schemaFindings({ ociVersion: '1.3.0', root: { path: 'rootfs' }, linux: { resources: value } }, 'config-v1'));
  if (errors.length > 0) throw new InvalidConfig(errors);
  return value as LinuxResources;
}

/** runc's flags into LinuxResources: each given flag sets its one field. */
function fromFlags(v: UpdateValues): LinuxResources {
  const pick = <T extends object>(o: T): T | undefined => (Object.values(o).some((x) => x !== undefined) ? o : undefined);
  return drop({
    memory: pick({ limit: v.memory, reservation: v.memoryReservation, swap: v.memorySwap }),
    cpu: pick({
      shares: v.cpuShares, quota: v.cpuQuota, period: v.cpuPeriod, burst: v.cpuBurst, realtimeRuntime: v.cpuRtRuntime,
      realtimePeriod: v.cpuRtPeriod, idle: v.cpuIdle, cpus: v.cpusetCpus, mems: v.cpusetMems,
    }),
    pids: v.pidsLimit === undefined ? undefined : { limit: v.pidsLimit },
    blockIO: v.blkioWeight === undefined ? undefined : { weight: v.blkioWeight },
  });
}

/** JSON's view: no undefined members, so a planner sees only what was given. */
const drop = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
