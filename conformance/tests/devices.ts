// v1.3.0 config-linux.md "Devices" and "Default Devices", and runtime-linux.md "Dev symbolic
// links": what the container's /dev holds (the probe lists it).
import type { TestContext } from '../harness/types.ts';
import { perEdition, probe, probeList, started } from './support.ts';

const DEFAULT_DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx'];
const DEV_LINKS = ['fd', 'stdin', 'stdout', 'stderr'];

export const deviceTests = [
  ...perEdition({ v1: ['v1:config-linux:default-devices:1'] }, `the default devices are supplied: /dev/${DEFAULT_DEVICES.join(', /dev/')}`, async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('ls', '/dev'));
    const dev = (await probeList(ctx, b)) ?? [];
    const missing = DEFAULT_DEVICES.filter((d) => !dev.includes(d));
    ctx.expect(missing.length === 0, `/dev to hold ${DEFAULT_DEVICES.join(', ')}`, { missing, dev });
  }),
  ...perEdition({ v1: ['v1:runtime-linux:dev-symbolic-links:1'] }, 'the /dev symlinks are created: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr (/proc is mounted)', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('ls', '/dev'));
    const dev = (await probeList(ctx, b)) ?? [];
    const missing = DEV_LINKS.filter((d) => !dev.includes(d));
    ctx.expect(missing.length === 0, `/dev to hold ${DEV_LINKS.join(', ')}`, { missing, dev });
  }),
  ...perEdition({ v1: ['v1:config-linux:devices:1'] }, 'a device listed in linux.devices (/dev/conformance-null, char 1:3) is available in the container', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('ls', '/dev'), (c) => {
      c.linux!.devices = [{ path: '/dev/conformance-null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }];
    });
    const dev = (await probeList(ctx, b)) ?? [];
    ctx.expect(dev.includes('conformance-null'), '/dev to hold conformance-null', dev);
  }),
];
