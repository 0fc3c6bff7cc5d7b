// config-linux.md "Masked Paths" and "Readonly Paths" (v1.3.0 and the draft): a masked file cannot
// be read (it reads empty or not at all), a masked directory shows nothing, a path that is not
// there is nothing to mask; under a read-only path a write fails with EROFS while reading works.
// The paths are in a root filesystem of the test's own (observe.ts ownRootfs) and in /proc.
import type { TestContext } from '../harness/types.ts';
import { answers, ownRootfs, refusedByCreate, type ReadAnswer } from './observe.ts';
import { perEdition, probe, started } from './support.ts';

const EROFS = 30;
const APPLIED = { draft: ['draft:runtime:lifecycle:1', 'draft:runtime:create:3'], v1: ['v1:runtime:create:4', 'v1:runtime:lifecycle:1'] };

/** Nothing of the file can be read: an error, or no bytes. */
const unreadable = (r: ReadAnswer | undefined) => r !== undefined && (r.errno !== undefined ? r.errno !== 0 : r.bytes === 0);

export const pathTests = [
  ...perEdition(
    APPLIED,
    'linux.maskedPaths: a masked file (/masked/secret, /proc/kcore) cannot be read, a masked directory (/masked/dir) shows no entries; an unmasked neighbour reads as before',
    async (ctx: TestContext) => {
      const { b } = await started(ctx, probe('read', '/masked/secret', 'ls', '/masked/dir', 'read', '/masked/visible', 'read', '/proc/kcore'), (c) => {
        ownRootfs(ctx, c, { 'masked/secret': 'secret text', 'masked/dir/inner': 'inner text', 'masked/visible': 'visible text' });
        c.linux!.maskedPaths = ['/masked/secret', '/masked/dir', '/proc/kcore'];
      });
      const [secret, dir, visible, kcore] = await answers<unknown>(ctx, b, 4, 'read /masked/secret, ls /masked/dir, read /masked/visible, read /proc/kcore');
      const problems = [
        unreadable(secret as ReadAnswer) ? undefined : `/masked/secret read: ${JSON.stringify(secret)}`,
        dir === null || (Array.isArray(dir) && dir.length === 0) ? undefined : `/masked/dir lists ${JSON.stringify(dir)}`,
        (visible as ReadAnswer).text === 'visible text' ? undefined : `/masked/visible (not masked) read: ${JSON.stringify(visible)}`,
        unreadable(kcore as ReadAnswer) ? undefined : `/proc/kcore read ${(kcore as ReadAnswer).bytes} bytes`,
      ].filter(Boolean);
      ctx.expect(problems.length === 0, 'the masked paths unreadable, the rest as it was', problems.join('\n'));
    },
  ),
  ...perEdition(APPLIED, 'a masked path that does not exist (/masked/absent) is nothing to mask: the container runs', async (ctx: TestContext) => {
    const { b } = await started(ctx, probe('read', '/masked/absent', 'print', 'ran'), (c) => {
      ownRootfs(ctx, c, {}); // should a runtime make the path, it makes it in a copy
      c.linux!.maskedPaths = ['/masked/absent'];
    });
    const [absent] = await answers<ReadAnswer>(ctx, b, 1, 'read /masked/absent');
    ctx.expect(unreadable(absent), '/masked/absent unreadable', absent);
  }),
  ...perEdition(
    APPLIED,
    'linux.readonlyPaths: writes under /ro-area and /proc/sys fail with EROFS, /ro-area still reads; /rw-area stays writable',
    async (ctx: TestContext) => {
      const { b } = await started(
        ctx,
        probe('attempt-write', '/ro-area/new', 'x', 'attempt-write', '/ro-area/file', 'y', 'read', '/ro-area/file', 'attempt-write', '/proc/sys/kernel/domainname', 'oci-conformance', 'attempt-write', '/rw-area/new', 'z'),
        (c) => {
          ownRootfs(ctx, c, { 'ro-area/file': 'read-only text', 'rw-area/': '' });
          c.linux!.readonlyPaths = ['/ro-area', '/proc/sys'];
        },
      );
      const [create, overwrite, read, sys, rw] = await answers<ReadAnswer>(ctx, b, 5, 'writes and a read');
      const problems = [
        create!.errno === EROFS ? undefined : `creating /ro-area/new: errno ${create!.errno}`,
        overwrite!.errno === EROFS ? undefined : `writing /ro-area/file: errno ${overwrite!.errno}`,
        read!.text === 'read-only text' ? undefined : `reading /ro-area/file: ${JSON.stringify(read)}`,
        sys!.errno === EROFS ? undefined : `writing /proc/sys/kernel/domainname: errno ${sys!.errno}`,
        rw!.errno === 0 ? undefined : `writing /rw-area/new (not read-only): errno ${rw!.errno}`,
      ].filter(Boolean);
      ctx.expect(problems.length === 0, `EROFS (${EROFS}) for writes under the read-only paths, the rest as it was`, problems.join('\n'));
    },
  ),
  ...perEdition({ v1: ['v1:config-linux:masked-paths:1', 'v1:config:valid-values:1'] }, 'a relative masked path ("proc/kcore") is an invalid value: create is an error', async (ctx: TestContext) => {
    await refusedByCreate(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.maskedPaths = ['proc/kcore']), 'an error for maskedPaths "proc/kcore" (it MUST be absolute)');
  }),
  ...perEdition({ v1: ['v1:config-linux:readonly-paths:1', 'v1:config:valid-values:1'] }, 'a relative read-only path ("proc/sys") is an invalid value: create is an error', async (ctx: TestContext) => {
    await refusedByCreate(ctx, probe('print', 'user-code-ran'), (c) => (c.linux!.readonlyPaths = ['proc/sys']), 'an error for readonlyPaths "proc/sys" (it MUST be absolute)');
  }),
];
