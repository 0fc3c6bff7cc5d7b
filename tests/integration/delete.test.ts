// runtime.md "Delete", both editions: the draft stops a running container first; v1.3.0 refuses a
// container that is not stopped (runc's --force kills it first). Delete undoes create: the cgroup
// and the namespaces the container made are gone, and the id can be used again.
import { describe, expect, it } from 'vitest';
import { cgroupDirsOf, eachTestSandbox, isAlive, isRoot, lines, liveProcesses, NEEDS_ROOT, nsOf, processesIn, Sandbox, waitForStatus, waitForText } from './harness.ts';

const SAMPLES = ['v1-basic', 'draft-basic'] as const;

describe.skipIf(!isRoot)(`delete (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  async function running(sample: string): Promise<{ id: string; pid: number }> {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'ready', 'sleep', '100'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    await waitForText(r.out, 'ready');
    return { id, pid: s.state(id).pid };
  }

  async function stopped(sample: string): Promise<string> {
    const id = s.id();
    expect(s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'exit', '0'])), id).code).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    return id;
  }

  it('draft runtime.md "Delete": a running container MUST be stopped first, then deleted', async () => {
    const { id, pid } = await running('draft-basic');
    const r = s.ocirt(['delete', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(isAlive(pid)).toBe(false);
    expect(s.ocirt(['state', id]).stderr).toBe(`ocirt: container "${id}" does not exist\n`);
    expect(s.rootEntries()).toEqual([]);
  });

  it('draft runtime.md "Delete": a created container is stopped first, then deleted', () => {
    const id = s.id();
    expect(s.create(s.bundle('draft-basic'), id).code).toBe(0);
    const pid = s.state(id).pid;
    expect(s.ocirt(['delete', id]).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(s.rootEntries()).toEqual([]);
  });

  it('autoremove watcher: delete --if-init leaves a container whose init is another process (an id created again)', async () => {
    const { id, pid } = await running('draft-basic');
    expect(s.ocirt(['delete', '--force', '--if-init', `${pid}:0`, id]).code).toBe(0);
    expect(s.state(id).status).toBe('running');
    expect(isAlive(pid)).toBe(true);
  });

  it('runtime.md (v1.3.0) "Delete": deleting a running container MUST generate an error and have no effect', async () => {
    const { id, pid } = await running('v1-basic');
    const before = s.state(id);
    const r = s.ocirt(['delete', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: cannot delete a container that is running: it must be stopped first (or use --force)']);
    expect(s.state(id)).toEqual(before);
    expect(isAlive(pid)).toBe(true);
  });

  it('runtime.md (v1.3.0) "Delete": deleting a created container MUST generate an error and have no effect', () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    const before = s.state(id);
    const r = s.ocirt(['delete', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: cannot delete a container that is created: it must be stopped first (or use --force)']);
    expect(s.state(id)).toEqual(before);
    expect(isAlive(before.pid)).toBe(true);
  });

  it('ENGINES.md "Commands": delete --force kills a running v1.3.0 container, then deletes it', async () => {
    const { id, pid } = await running('v1-basic');
    const r = s.ocirt(['delete', '--force', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(s.rootEntries()).toEqual([]);
  });

  it.each(SAMPLES)('runtime.md "Delete": a stopped container is deleted (%s)', async (sample) => {
    const id = await stopped(sample);
    const r = s.ocirt(['delete', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.rootEntries()).toEqual([]);
  });

  it('draft runtime.md "Delete": deleting a container that does not exist MUST generate an error', () => {
    const id = s.id();
    const r = s.ocirt(['delete', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" does not exist`]);
  });

  it('ENGINES.md "Commands": delete --force of an unknown id exits 0', () => {
    const r = s.ocirt(['delete', '--force', s.id()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(s.rootEntries()).toEqual([]);
  });

  it('runtime.md "Delete": delete MUST generate an error when not given a container id', () => {
    const r = s.ocirt(['delete']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['ocirt: delete: missing container id']);
  });

  it.each(SAMPLES)('runtime.md "Delete": once a container is deleted its id MAY be used again (%s)', async (sample) => {
    const id = await stopped(sample);
    expect(s.ocirt(['delete', id]).code).toBe(0);
    const r = s.create(s.bundle(sample), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.state(id).status).toBe('created');
  });

  it.each(SAMPLES)('runtime.md "Delete": the cgroup directories create made are gone after delete (%s)', async (sample) => {
    const id = await stopped(sample);
    expect(cgroupDirsOf(id).length).toBeGreaterThan(0);
    expect(s.ocirt(['delete', id]).code).toBe(0);
    expect(cgroupDirsOf(id)).toEqual([]);
  });

  it.each(SAMPLES)('runtime.md "Delete": the mount namespace the container made is gone after delete (%s)', async (sample) => {
    const { id, pid } = await running(sample);
    const mnt = nsOf(pid, 'mnt');
    expect(mnt).not.toBe(nsOf('self', 'mnt'));
    expect(processesIn('mnt', mnt)).toHaveLength(1); // the program, as pid 1 of its PID namespace
    const existing = liveProcesses();
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    // No process that existed before delete is in it. (The inode number may be reused at once by a
    // namespace made elsewhere on the host, whose processes are new.)
    expect(processesIn('mnt', mnt).filter((p) => existing.has(p))).toEqual([]);
  });
});
