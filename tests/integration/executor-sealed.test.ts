// DESIGN.md "Process model" 5 (CVE-2019-5736): the container's init is the executor, and a process
// that can reach /proc/<init>/exe must not be able to overwrite the host's binary through it, not
// even with a descriptor taken before start and reopened for writing once start has exec'd the
// user's process. So the executor runs from a sealed memfd, carried inside the compiled bin/ocirt,
// which therefore runs from any directory with nothing beside it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, cpSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, NEEDS_ROOT, OCIRT, PROJECT, probeReport, type Result, Sandbox, sampleConfig, waitFor, waitForText, writeConfig } from './harness.ts';

const EXECUTOR = join(PROJECT, 'native/build/ocirt-executor');
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The errno name a call failed with, or 'ok' when it did not fail. */
function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/**
 * The attack: reopen `path` for writing and write one byte. The byte is the ELF magic's first, at
 * offset 0, so a runtime that lets it through (the on-disk executor) is left as it was.
 */
function overwrite(path: string): string {
  return outcome(() => {
    const fd = openSync(path, constants.O_WRONLY);
    try {
      writeSync(fd, Buffer.from([0x7f]), 0, 1, 0);
    } finally {
      closeSync(fd);
    }
  });
}

const REFUSED = ['ETXTBSY', 'EPERM'];

/**
 * `binary --root ROOT ARGS` as on a host without the source tree: in a private mount namespace with
 * an empty tmpfs over the project, with no environment, stdout and stderr in files in `io`.
 */
function runAlone(binary: string, root: string, args: string[], io: string, stdout = join(io, 'stdout')): Result {
  const err = join(io, 'stderr');
  const fds = [openSync(stdout, 'w'), openSync(err, 'w')];
  const hide = ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs "$0" && exec "$@"', PROJECT];
  const r = spawnSync('unshare', [...hide, binary, '--root', root, ...args], { stdio: ['ignore', fds[0], fds[1]], env: {}, cwd: '/', timeout: 20_000 });
  fds.forEach((fd) => closeSync(fd));
  return { code: r.status ?? -1, stdout: readFileSync(stdout, 'utf8'), stderr: readFileSync(err, 'utf8') };
}

/** A copy of a sample bundle at `dir`: its rootfs, and its config.json (relative root.path) running `args`. */
function copyBundle(sample: string, dir: string, args: string[]): string {
  cpSync(join(PROJECT, 'bundles', sample, 'rootfs'), join(dir, 'rootfs'), { recursive: true });
  const c = sampleConfig(sample);
  c.process!.args = args;
  writeConfig(dir, c);
  return dir;
}

describe.skipIf(!isRoot)(`the init runs from a sealed memfd (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('after create, /proc/<init>/exe is a memfd, not a file on disk; neither the host nor a container in its PID namespace can write it', () => {
    const before = digest(EXECUTOR);
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '5'])), id);
    expect(r.code, r.stderr).toBe(0);
    const pid = s.state(id).pid;
    expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/^\/memfd:ocirt-executor/);
    expect(REFUSED).toContain(overwrite(`/proc/${pid}/exe`));
    // A second container joining the first's PID namespace sees the init as its pid 1.
    const inside = s.bundle('v1-basic', (c) => {
      c.process!.args = ['/probe', 'attempt-write', '/proc/1/exe', 'overwritten'];
      c.linux!.namespaces = c.linux!.namespaces!.map((ns) => (ns.type === 'pid' ? { type: 'pid', path: `/proc/${pid}/ns/pid` } : ns));
    });
    const joined = s.ocirt(['run', '--bundle', inside, s.id()]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(probeReport(joined.stdout)).toMatchObject({ path: '/proc/1/exe' });
    expect(probeReport(joined.stdout).errno).not.toBe(0);
    expect(digest(EXECUTOR)).toBe(before);
  });

  it("a descriptor of /proc/<init>/exe taken before start cannot be reopened to write once start has exec'd the process", async () => {
    const before = digest(EXECUTOR);
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '5'])), id).code).toBe(0);
    const pid = s.state(id).pid;
    const held = openSync(`/proc/${pid}/exe`, constants.O_RDONLY);
    try {
      expect(s.ocirt(['start', id]).code).toBe(0);
      expect(await waitFor(() => readlinkSync(`/proc/${pid}/exe`).endsWith('/probe'))).toBe(true);
      // the executor runs nowhere in this container now: only the seals refuse
      expect(REFUSED).toContain(overwrite(`/proc/self/fd/${held}`));
      expect(outcome(() => closeSync(openSync(`/proc/self/fd/${held}`, constants.O_WRONLY | constants.O_TRUNC)))).not.toBe('ok');
    } finally {
      closeSync(held);
    }
    expect(digest(EXECUTOR)).toBe(before);
  });

  it('a copy of bin/ocirt and bin/ocirt-core (the front end and the core) alone in an empty directory, on a host without the source tree, runs a container, autoremove included', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'ocirt-alone-'));
    const work = mkdtempSync(join(tmpdir(), 'ocirt-alone-work-'));
    try {
      const binary = join(alone, 'ocirt');
      copyFileSync(OCIRT, binary);
      copyFileSync(`${OCIRT}-core`, join(alone, 'ocirt-core'));
      const run = (args: string[], stdout?: string) => runAlone(binary, s.root, args, work, stdout);
      const bundle = copyBundle('v1-basic', join(work, 'v1'), ['/probe', 'print', 'alone']);
      const r = run(['run', '--bundle', bundle, s.id()]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('alone\n');
      expect(readdirSync(alone).sort()).toEqual(['ocirt', 'ocirt-core']);

      // the autoremove watcher runs `delete` with the binary that armed it
      const draft = copyBundle('draft-autoremove', join(work, 'draft'), ['/probe', 'print', 'done']);
      const id = s.id();
      const out = join(work, 'out');
      const created = run(['create', '--bundle', draft, id], out);
      expect(created.code, created.stderr).toBe(0);
      expect(run(['start', id]).code).toBe(0);
      expect(await waitForText(out, 'done')).toBe('done\n');
      expect(await waitFor(() => s.rootEntries().length === 0)).toBe(true);
    } finally {
      rmSync(alone, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('the sealed executor image', () => {
  it('is the built executor, in a memfd sealed against writing, shrinking, growing and new seals, and it executes', async () => {
    const { sealedExecutor } = await import('../../src/linux/executor-image.ts');
    const { fcntl, F_GET_SEALS, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE } = await import('../../src/linux/ffi.ts');
    const fd = sealedExecutor();
    try {
      const path = `/proc/self/fd/${fd}`;
      expect(readlinkSync(path)).toMatch(/^\/memfd:ocirt-executor/);
      expect(fcntl('fcntl(F_GET_SEALS)', fd, F_GET_SEALS, 0)).toBe(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
      expect(readFileSync(path).equals(readFileSync(EXECUTOR))).toBe(true);
      expect(outcome(() => writeSync(fd, Buffer.from([0x7f]), 0, 1, 0))).toBe('EPERM');
      expect(overwrite(path)).toBe('EPERM');
      expect(outcome(() => openSync(path, constants.O_WRONLY | constants.O_TRUNC))).toBe('EPERM');
      const usage = spawnSync(path, [], { encoding: 'utf8', argv0: 'ocirt-executor' });
      expect([usage.status, usage.stderr]).toEqual([2, expect.stringMatching(/^usage: ocirt-executor /)]);
    } finally {
      closeSync(fd);
    }
  });
});
