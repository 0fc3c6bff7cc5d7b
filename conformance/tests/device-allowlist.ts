// config-linux.md "Allowed Device list" (linux.resources.devices, v1.3.0): what the container's
// process may open, as the probe's attempt-write reports it. The device under test is char 1:6, a
// minor of the mem driver that no kernel assigns: opened where the device cgroup allows it, it fails
// with ENXIO (no such device); where the cgroup denies it, with EPERM, before any driver is asked.
// Its node is made on the host and bind-mounted in, not listed in linux.devices, so that a runtime
// that allows the devices it creates (as runc allows its default devices) cannot blur the result.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostTool } from '../harness/host-tools.ts';
import type { TestContext } from '../harness/types.ts';
import { needingRuntimeCgroups, withResources } from './cgroup-files.ts';
import { answers } from './observe.ts';
import { perEdition, probe, started, type Cfg } from './support.ts';

const EPERM = 1;
const ENXIO = 6;
/** Where the container sees the unassigned device. */
const AT = '/tmp/oc-unassigned';
const DENY_ALL = { allow: false, access: 'rwm' };
const ALLOW_IT = { allow: true, type: 'c', major: 1, minor: 6, access: 'rw' };
/** config-linux.md "Default Devices" (ptmx: the container's /dev/ptmx, its devpts multiplexer). */
const DEFAULTS = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/ptmx'];

interface Opened {
  path: string;
  errno: number;
}

/** A char 1:6 node in the test's directory, bind-mounted at AT, with `rules` as linux.resources.devices. */
function withUnassigned(ctx: TestContext, rules: unknown[]) {
  const node = join(ctx.tmp, 'unassigned');
  if (!existsSync(node)) {
    execFileSync(hostTool('mknod'), [node, 'c', '1', '6']);
    chmodSync(node, 0o666);
  }
  return (c: Cfg) => {
    c.mounts = [...(c.mounts ?? []), { destination: AT, type: 'bind', source: node, options: ['bind'] }];
    withResources({ devices: rules })(c);
  };
}

/** Starts the probe opening each path for writing; returns the errno of each (0: opened and written). */
async function openEach(ctx: TestContext, paths: string[], edit: (c: Cfg) => void): Promise<Opened[]> {
  const { b } = await started(ctx, probe(...paths.flatMap((p) => ['attempt-write', p, 'x'])), edit);
  return answers<Opened>(ctx, b, paths.length, paths.map((p) => `attempt-write ${p}`).join(', '));
}

export const deviceAllowlistTests = needingRuntimeCgroups([
  ...perEdition(
    { v1: ['v1:config-linux:allowed-device-list:1'] },
    'linux.resources.devices entries are applied in the listed order: deny all then allow c 1:6 lets the container open a 1:6 node (ENXIO, no driver), allow c 1:6 then deny all refuses it (EPERM)',
    async (ctx: TestContext) => {
      const [allowed] = await openEach(ctx, [AT], withUnassigned(ctx, [DENY_ALL, ALLOW_IT]));
      ctx.expect(allowed!.errno !== EPERM, `[deny all rwm, allow c 1:6 rw]: ${AT} (char 1:6) not refused by the device cgroup (errno ${ENXIO}, ENXIO: no driver has 1:6)`, allowed);
      const [denied] = await openEach(ctx, [AT], withUnassigned(ctx, [ALLOW_IT, DENY_ALL]));
      ctx.expect(denied!.errno === EPERM, `[allow c 1:6 rw, deny all rwm]: ${AT} (char 1:6) refused by the device cgroup (errno ${EPERM}, EPERM)`, denied);
    },
  ),
  ...perEdition(
    { v1: ['v1:config-linux:default-devices:1', 'v1:runtime:create:4', 'v1:runtime:lifecycle:1'] },
    `linux.resources.devices [deny all] is applied (a char 1:6 node cannot be opened: EPERM) and the default devices are still supplied: ${DEFAULTS.join(', ')} open`,
    async (ctx: TestContext) => {
      const seen = await openEach(ctx, [AT, ...DEFAULTS], withUnassigned(ctx, [DENY_ALL]));
      ctx.expect(seen[0]!.errno === EPERM, `${AT} (char 1:6) refused by the device cgroup (errno ${EPERM}, EPERM)`, seen[0]);
      const refused = seen.slice(1).filter((s) => s.errno === EPERM);
      ctx.expect(refused.length === 0, `each default device opened, not refused by the device cgroup (tty: ENXIO without a controlling terminal; full: ENOSPC on write)`, refused);
    },
  ),
]);
