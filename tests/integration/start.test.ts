// runtime.md "Start", both editions: the user-specified program runs in the container's PID
// namespace, once; the draft reads `process` from config.json at start time and ignores every other
// field, v1.3.0 uses the config as it was at create ("Create": later changes have no effect).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { eachTestSandbox, isRoot, lines, NEEDS_ROOT, nsOf, probeReport, Sandbox, waitForStatus, waitForText, writeConfig } from './harness.ts';

const SAMPLES = ['v1-basic', 'draft-basic'] as const;

function readConfig(bundle: string): Config {
  return JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as Config;
}

/** Rewrites the bundle's config.json in place. */
function editConfig(bundle: string, edit: (c: Config) => void): void {
  const c = readConfig(bundle);
  edit(c);
  writeConfig(bundle, c);
}

describe.skipIf(!isRoot)(`start (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(SAMPLES)('runtime.md "Start": the program MUST run in the PID namespace made at create: it is pid 1 there (%s)', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample), id);
    expect(r.code, r.stderr).toBe(0);
    const pidNs = nsOf(s.state(id).pid, 'pid');
    const started = s.ocirt(['start', id]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toBe('');
    const report = probeReport(await waitForText(r.out, '}'));
    expect(report.pid).toBe(1);
    expect(`pid:[${(report.namespaces as Record<string, number>).pid}]`).toBe(pidNs);
    expect(pidNs).not.toBe(nsOf('self', 'pid'));
  });

  it.each(SAMPLES)('runtime.md "Start": starting an already started container MUST generate an error and change nothing (%s)', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'started', 'sleep', '100'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    await waitForText(r.out, 'started');
    const before = s.state(id);
    expect(before.status).toBe('running');
    const again = s.ocirt(['start', id]);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual(['ocirt: cannot start a container that is running']);
    expect(s.state(id)).toEqual(before);
    expect(readFileSync(`/proc/${before.pid}/comm`, 'utf8')).toBe('probe\n');
    expect(readFileSync(r.out, 'utf8')).toBe('started\n');
  });

  it('runtime.md (v1.3.0) "Start": starting a stopped container MUST generate an error', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'exit', '0'])), id).code).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    const again = s.ocirt(['start', id]);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual(['ocirt: cannot start a container that is stopped']);
    expect(s.state(id).status).toBe('stopped');
  });

  it.each([
    ['a cwd that does not exist', (c: Config) => (c.process!.cwd = '/nonexistent'), 'ocirt: process.cwd (/nonexistent): chdir /nonexistent: no such file or directory'],
    ['an args[0] that cannot be executed', (c: Config) => (c.process!.args = ['/dev/null']), 'ocirt: process.args[0] (/dev/null): exec /dev/null: permission denied'],
  ])('runtime.md "Start": when the process cannot be run (%s), start reports the failed step in one line and exits 1', (_what, edit, message) => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', edit), id).code).toBe(0);
    const r = s.ocirt(['start', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([message]);
  });

  it('runtime.md "Start": starting a container that does not exist MUST generate an error', () => {
    const id = s.id();
    const r = s.ocirt(['start', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" does not exist`]);
    expect(s.rootEntries()).toEqual([]);
  });

  it('runtime.md "Start": start MUST generate an error when not given a container id', () => {
    const r = s.ocirt(['start']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['ocirt: start: missing container id']);
  });

  it.each(SAMPLES)('runtime.md "Start" and config.md "Process": without `process` the container is created; start MUST generate an error naming it and leave the container created (%s)', (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => delete c.process), id);
    expect(r.code, r.stderr).toBe(0);
    const before = s.state(id);
    expect(before.status).toBe('created');
    const started = s.ocirt(['start', id]);
    expect(started.code).toBe(1);
    expect(lines(started.stderr)).toHaveLength(1);
    expect(started.stderr).toMatch(/^ocirt: process: /);
    expect(s.state(id)).toEqual(before);
  });

  it.each(SAMPLES)('runtime.md "Start": without a PID namespace the program is the init itself: its pid is the state\'s pid (%s)', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.linux!.namespaces = c.linux!.namespaces!.filter((ns) => ns.type !== 'pid'))), id);
    expect(r.code, r.stderr).toBe(0);
    const pid = s.state(id).pid;
    expect(nsOf(pid, 'pid')).toBe(nsOf('self', 'pid'));
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(probeReport(await waitForText(r.out, '}')).pid).toBe(pid);
  });

  it('draft runtime.md "Start": `process` is read from config.json at start time: changed args are what runs', async () => {
    const id = s.id();
    const bundle = s.bundle('draft-basic', (c) => (c.process!.args = ['/probe', 'print', 'create-time args']));
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    editConfig(bundle, (c) => (c.process!.args = ['/probe', 'report', 'exit', '0']));
    expect(s.ocirt(['start', id]).code).toBe(0);
    const out = await waitForText(r.out, '}');
    expect(out).not.toContain('create-time args');
    expect(probeReport(out).argv).toEqual(['/probe', 'report', 'exit', '0']);
  });

  it('draft runtime.md "Start": properties outside `process` MUST be ignored at start: a changed hostname is not applied', async () => {
    const id = s.id();
    const bundle = s.bundle('draft-basic');
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    editConfig(bundle, (c) => {
      c.hostname = 'changed-after-create';
      c.process!.args = ['/probe', 'report'];
    });
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(probeReport(await waitForText(r.out, '}')).hostname).toBe('ocirt-draft');
  });

  it('draft runtime.md "Start": if the process read at start cannot be run, start MUST generate an error', () => {
    const id = s.id();
    const bundle = s.bundle('draft-basic');
    expect(s.create(bundle, id).code).toBe(0);
    editConfig(bundle, (c) => (c.process!.args = ['/bin/nosuch']));
    const r = s.ocirt(['start', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('process.args[0]');
  });

  it('runtime.md (v1.3.0) "Create": changes to config.json after create (process.args, hostname) have no effect at start', async () => {
    const id = s.id();
    const bundle = s.bundle('v1-basic');
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    editConfig(bundle, (c) => {
      c.process!.args = ['/probe', 'print', 'changed after create'];
      c.hostname = 'changed-after-create';
    });
    expect(s.ocirt(['start', id]).code).toBe(0);
    const out = await waitForText(r.out, '}');
    expect(out).not.toContain('changed after create');
    const report = probeReport(out);
    expect(report.argv).toEqual(['/probe', 'report']);
    expect(report.hostname).toBe('ocirt-v1');
  });

  it('runtime.md (v1.3.0) "Create": a config.json emptied after create does not stop start', async () => {
    const id = s.id();
    const bundle = s.bundle('v1-basic');
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    writeConfig(bundle, {} as Config);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(probeReport(await waitForText(r.out, '}')).argv).toEqual(['/probe', 'report']);
  });
});
