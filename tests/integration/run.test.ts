// draft runtime.md "Run" (create, then start) and runc's `run`: in the foreground ocirt exits with
// the process's status and deletes the container; `--detach` returns once it runs.
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, probeReport, Sandbox, waitForText } from './harness.ts';

const SAMPLES = ['v1-basic', 'draft-basic'] as const;

describe.skipIf(!isRoot)(`run (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(SAMPLES)('draft runtime.md "Run": a foreground run exits with the process\'s exit status and leaves nothing (%s)', (sample) => {
    const id = s.id();
    const before = hostMountPoints();
    const r = s.ocirt(['run', '--bundle', s.bundle(sample, (c) => (c.process!.args = ['/probe', 'report', 'exit', '7'])), id]);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toBe('');
    expect(probeReport(r.stdout).pid).toBe(1);
    expect(madeFor(s, id, before)).toEqual([]);
    expect(s.rootEntries()).toEqual([]);
  });

  it.each(SAMPLES)('draft runtime.md "Run": a process killed by a signal makes a foreground run exit with 128+N, and leaves nothing (%s)', async (sample) => {
    const id = s.id();
    const out = s.file('out');
    const bundle = s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'ready', 'sleep', '100']));
    const running = s.ocirtAsync(['run', '--bundle', bundle, id], { stdout: out });
    expect(await waitForText(out, 'ready')).toBe('ready\n');
    expect(s.state(id).status).toBe('running');
    expect(s.ocirt(['kill', id, 'KILL']).code).toBe(0);
    const r = await running;
    expect(r.code, r.stderr).toBe(128 + 9);
    expect(r.stderr).toBe('');
    expect(s.rootEntries()).toEqual([]);
  });

  it('runc "run --detach": returns 0 with the container running', () => {
    const id = s.id();
    const out = s.file('out');
    const r = s.ocirt(['run', '--detach', '--bundle', s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '100'])), id], { stdout: out });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(s.state(id).status).toBe('running');
  });

  it('draft runtime.md "Run": `run ID BUNDLE` (the draft grammar) creates and starts the container', () => {
    const id = s.id();
    const r = s.ocirt(['run', id, s.bundle('draft-basic', (c) => (c.process!.args = ['/probe', 'report']))]);
    expect(r.code, r.stderr).toBe(0);
    const report = probeReport(r.stdout);
    expect(report.argv).toEqual(['/probe', 'report']);
    expect(report.hostname).toBe('ocirt-draft');
    expect(s.rootEntries()).toEqual([]);
  });

  it('draft runtime.md "Run": if create fails, start is not invoked and nothing is left', () => {
    const id = s.id();
    const before = hostMountPoints();
    const r = s.ocirt(['run', '--bundle', s.bundle('v1-basic', (c) => (c.process!.args = ['nosuchprog'])), id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: process.args[0]: exec: "nosuchprog": executable file not found in $PATH']);
    expect(madeFor(s, id, before)).toEqual([]);
  });

  it('draft runtime.md "Run": run MUST generate an error when not given a container id', () => {
    const r = s.ocirt(['run']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['ocirt: run: missing container id']);
  });
});
