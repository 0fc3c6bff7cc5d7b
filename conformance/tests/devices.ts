// v1.3.0 config-linux.md "Devices" and "Default Devices" (and the draft's devices), and
// runtime-linux.md "Dev symbolic links": what the container's /dev holds (the probe lists it) and
// what each device is (the probe's stat: type, major:minor, mode, owner).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from '../harness/types.ts';
import { answers, ownRootfs, refusedByCreate, type StatAnswer } from './observe.ts';
import { perEdition, probe, probeList, started } from './support.ts';

/** One device of each type, each with a mode and owner of its own. */
const DEVICES = [
  { path: '/dev/oc-char', type: 'c', major: 1, minor: 3, fileMode: 0o620, uid: 1000, gid: 1001 },
  { path: '/dev/oc-block', type: 'b', major: 7, minor: 250, fileMode: 0o640, uid: 1002, gid: 1003 },
  { path: '/dev/oc-fifo', type: 'p', fileMode: 0o604, uid: 1004, gid: 1005 },
  { path: '/dev/oc-unbuffered', type: 'u', major: 1, minor: 5, fileMode: 0o606, uid: 1006, gid: 1007 },
];
const STAT_TYPE: Record<string, string> = { c: 'char', u: 'char', b: 'block', p: 'fifo' };

/** What is wrong with the file stat found for a device entry (undefined: nothing). */
function deviceProblem(d: (typeof DEVICES)[number], s: StatAnswer): string | undefined {
  const want = { type: STAT_TYPE[d.type], mode: d.fileMode, uid: d.uid, gid: d.gid, ...(d.type === 'p' ? {} : { major: d.major, minor: d.minor }) };
  const bad = Object.entries(want).filter(([k, v]) => (s as unknown as Record<string, unknown>)[k] !== v);
  return bad.length === 0 ? undefined : `${d.path}: ${bad.map(([k, v]) => `${k} ${JSON.stringify((s as unknown as Record<string, unknown>)[k])}, not ${JSON.stringify(v)}`).join('; ')}${s.errno ? ` (stat errno ${s.errno})` : ''}`;
}

/** The default devices, as char devices with their devices.txt numbers (ptmx: the container's /dev/pts/ptmx). */
const DEFAULT_NUMBERS: Record<string, [number, number]> = { null: [1, 3], zero: [1, 5], full: [1, 7], random: [1, 8], urandom: [1, 9], tty: [5, 0], ptmx: [5, 2] };

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
  ...perEdition(
    { v1: ['v1:config-linux:default-devices:1'] },
    'the default devices are the devices they name: char 1:3 null, 1:5 zero, 1:7 full, 1:8 random, 1:9 urandom, 5:0 tty, and ptmx the pts multiplexer 5:2',
    async (ctx: TestContext) => {
      const names = Object.keys(DEFAULT_NUMBERS);
      const { b } = await started(ctx, probe(...names.flatMap((n) => ['stat', `/dev/${n}`])));
      const seen = await answers<StatAnswer>(ctx, b, names.length, 'stat of each default device');
      const wrong = names.filter((n, i) => seen[i]!.type !== 'char' || seen[i]!.major !== DEFAULT_NUMBERS[n]![0] || seen[i]!.minor !== DEFAULT_NUMBERS[n]![1]);
      ctx.expect(wrong.length === 0, 'each default device a char device with its number', Object.fromEntries(wrong.map((n) => [n, seen[names.indexOf(n)]])));
    },
  ),
  ...perEdition(
    { draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'], v1: ['v1:config-linux:devices:1'] },
    'linux.devices of each type are made as listed: c, b, p and u, each with its major:minor, fileMode, uid and gid',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe(...DEVICES.flatMap((d) => ['stat', d.path])), (c) => (c.linux!.devices = DEVICES));
      const seen = await answers<StatAnswer>(ctx, b, DEVICES.length, 'stat of each device');
      const problems = DEVICES.map((d, i) => deviceProblem(d, seen[i]!)).filter(Boolean);
      ctx.expect(problems.length === 0, `each device as linux.devices lists it: ${JSON.stringify(DEVICES)}`, problems.join('\n'));
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:devices:1'] }, 'a device path outside /dev (/tmp/oc-null, char 1:3) is made there', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('stat', '/tmp/oc-null'), (c) => (c.linux!.devices = [{ path: '/tmp/oc-null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }]));
    const [s] = await answers<StatAnswer>(ctx, b, 1, 'stat /tmp/oc-null');
    ctx.expect(s!.type === 'char' && s!.major === 1 && s!.minor === 3, '/tmp/oc-null a char device 1:3', s);
  }),
  ...perEdition(
    { v1: ['v1:config-linux:devices:2'] },
    'a device path where a regular file already is (/conformance-file in the rootfs) does not match the device: an error, the file left as it was',
    async (ctx: TestContext) => {
      let rootfs = '';
      await refusedByCreate(
        ctx,
        probe('print', 'user-code-ran'),
        (c) => {
          rootfs = ownRootfs(ctx, c, { 'conformance-file': 'a regular file' });
          c.linux!.devices = [{ path: '/conformance-file', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }];
        },
        'an error: /conformance-file exists and is not char device 1:3',
      );
      const text = readFileSync(join(rootfs, 'conformance-file'), 'utf8');
      ctx.expect(text === 'a regular file', 'the file at the path unchanged', text);
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:devices:1'] }, 'a device listed in linux.devices (/dev/conformance-null, char 1:3) is available in the container', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('ls', '/dev'), (c) => {
      c.linux!.devices = [{ path: '/dev/conformance-null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }];
    });
    const dev = (await probeList(ctx, b)) ?? [];
    ctx.expect(dev.includes('conformance-null'), '/dev to hold conformance-null', dev);
  }),
];
