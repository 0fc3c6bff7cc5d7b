// Cgroups are not shared by accident: the default cgroup path is per state root (--root), so
// `delete --force` of an id in one root cannot kill another root's container of the same id.
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eachTestSandbox, isAlive, isRoot, NEEDS_ROOT, Sandbox } from './harness.ts';

describe.skipIf(!isRoot)(`cgroup isolation between state roots (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('delete --force of an id in one root leaves the same id of another root running, in a cgroup of its own', () => {
    const id = s.id();
    const other = ['--root', join(s.dir, 'other-root')];
    const bundle = s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '30']));
    expect(s.create(bundle, id).code).toBe(0);
    const r = s.ocirt([...other, 'create', '--bundle', bundle, id]);
    // The sandbox's cleanup knows only its own root.
    onTestFinished(() => void s.ocirt([...other, 'delete', '--force', id]));
    expect(r.code, r.stderr).toBe(0);
    const survivor = JSON.parse(s.ocirt([...other, 'state', id]).stdout) as { pid: number };
    const victim = s.state(id).pid;
    expect(JSON.parse(s.ocirt(['ps', '--format', 'json', id]).stdout)).toEqual([victim]);
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    expect(isAlive(victim)).toBe(false);
    expect(isAlive(survivor.pid)).toBe(true);
    expect(s.ocirt([...other, 'delete', '--force', id]).code).toBe(0);
    expect(isAlive(survivor.pid)).toBe(false);
  });
});
