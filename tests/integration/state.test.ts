// runtime.md "State" and "Query State", both editions: the fields of each edition (v1.3.0's
// `bundle` and `status`, the draft's `bundlePath`), the status through the lifecycle, and errors.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, lines, NEEDS_ROOT, OCIRT, Sandbox, waitForStatus, waitForText } from './harness.ts';

const SAMPLES = ['v1-basic', 'draft-basic'] as const;

describe.skipIf(!isRoot)(`state (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(SAMPLES)('runtime.md "State": ociVersion, id, status, pid, and bundle and bundlePath as absolute paths, with the annotations (%s)', (sample) => {
    const id = s.id();
    const bundle = s.bundle(sample, (c) => (c.annotations = { 'org.example.key': 'value', other: '' }));
    const pidFile = s.file('pid');
    const out = s.file('out');
    // Given relative to the caller's directory: the state MUST still hold the absolute path.
    const r = s.ocirt(['create', '--pid-file', pidFile, '--bundle', relative(s.dir, bundle), id], { stdout: out, cwd: s.dir });
    expect(r.code, r.stderr).toBe(0);
    const st = s.state(id);
    expect(st).toMatchObject({
      ociVersion: sample === 'v1-basic' ? '1.3.0' : '0.6.0-dev',
      id,
      status: 'created',
      pid: Number(readFileSync(pidFile, 'utf8')),
      bundle,
      bundlePath: bundle,
      annotations: { 'org.example.key': 'value', other: '' },
    });
  });

  it.each(SAMPLES)('runtime.md "State": status goes created → running → stopped (%s)', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'ready', 'wait-signal'])), id);
    expect(r.code, r.stderr).toBe(0);
    const created = s.state(id);
    expect(created.status).toBe('created');
    expect(s.ocirt(['start', id]).code).toBe(0);
    await waitForText(r.out, 'ready');
    const running = s.state(id);
    expect(running.status).toBe('running');
    expect(running.pid).toBe(created.pid);
    expect(s.ocirt(['kill', id, 'TERM']).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(readFileSync(r.out, 'utf8')).toBe('ready\n{"signal":15}\n');
  });

  it('runtime.md "Query State": querying a container that does not exist MUST generate an error', () => {
    const id = s.id();
    const r = s.ocirt(['state', id]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" does not exist`]);
  });

  it('runtime.md "Query State": state MUST generate an error when not given a container id', () => {
    const r = s.ocirt(['state']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual(['ocirt: state: missing container id']);
  });

  it('ENGINES.md "Commands": `state ID` works with an empty environment (no PATH, no flags but --root) and prints pure JSON', () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    const r = spawnSync(OCIRT, ['--root', s.root, 'state', id], { env: {}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ id, status: 'created' });
  });
});
