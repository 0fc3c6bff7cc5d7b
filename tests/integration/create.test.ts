// runtime.md "Create" and "Lifecycle" step 2, both editions: the environment is made, the
// user-specified program is not run, namespaces are created or joined, the id is unique and valid.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
 eachTestSandbox,
 isAlive, isRoot, lines, NEEDS_ROOT, nsOf, probeReport, Sandbox, waitFor, waitForText,
} from './harness.ts';

const SAMPLES = ['v1-basic', 'draft-basic'] as const;
/** /proc/<pid>/ns names of the namespace types each sample creates. */
const CREATED: Record<(typeof SAMPLES)[number], string[]> = {
  'v1-basic': ['pid', 'ipc', 'uts', 'mnt', 'net', 'cgroup'],
  'draft-basic': ['pid', 'ipc', 'uts', 'mnt', 'net'],
};

/** Pids of the processes that have `file` open. */
function holdersOf(file: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === file)) pids.push(Number(pid));
    } catch {
      /* exited, or not ours to read */
    }
  }
  return pids;
}

describe.skipIf(!isRoot)(`create (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('runtime.md "Create": `create --bundle B ID` (runc grammar) makes a created container and prints nothing', () => {
    const id = s.id();
    const bundle = s.bundle('v1-basic');
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(r.out, 'utf8')).toBe('');
    const st = s.state(id);
    expect(st.status).toBe('created');
    expect(st.bundle).toBe(bundle);
  });

  it('draft runtime.md "Create": `create ID BUNDLE` (the draft grammar) makes a created container', () => {
    const id = s.id();
    const bundle = s.bundle('draft-basic');
    const out = s.file('out');
    const r = s.ocirt(['create', id, bundle], { stdout: out });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('');
    const st = s.state(id);
    expect(st.status).toBe('created');
    expect(st.bundlePath).toBe(bundle);
  });

  it('ENGINES.md "Commands": --pid-file holds the init\'s host pid in decimal with no newline', () => {
    const id = s.id();
    const pidFile = s.file('pid');
    const r = s.create(s.bundle('v1-basic'), id, ['--pid-file', pidFile]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(pidFile, 'utf8');
    expect(text).toMatch(/^[1-9][0-9]*$/);
    expect(Number(text)).toBe(s.state(id).pid);
    expect(isAlive(Number(text))).toBe(true);
  });

  it.each(SAMPLES)('ENGINES.md "Exit status and the no-monitor rule": after create no ocirt process is the init\'s parent or holds the caller\'s stdout (%s)', (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample), id);
    expect(r.code, r.stderr).toBe(0);
    const pid = s.state(id).pid;
    const ppid = Number(/^PPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    expect(readFileSync(`/proc/${ppid}/cmdline`, 'utf8')).not.toMatch(/ocirt/);
    expect(holdersOf(r.out)).toEqual([pid]);
  });

  it.each(SAMPLES)('runtime.md "Create": the user-specified program MUST NOT be run at create time (%s)', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'user program ran', 'sleep', '100'])), id);
    expect(r.code, r.stderr).toBe(0);
    const st = s.state(id);
    expect(st.status).toBe('created');
    // The init waits as the executor, not as the probe, and the probe has printed nothing.
    expect(readFileSync(`/proc/${st.pid}/comm`, 'utf8').trim()).not.toBe('probe');
    expect(readFileSync(r.out, 'utf8')).toBe('');
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForText(r.out, 'user program ran')).toBe('user program ran\n');
  });

  it.each(SAMPLES)('runtime.md "Create": the namespaces config.json asks for are new, not the host\'s (%s)', (sample) => {
    const id = s.id();
    expect(s.create(s.bundle(sample), id).code).toBe(0);
    const pid = s.state(id).pid;
    for (const type of CREATED[sample]) expect(nsOf(pid, type), type).not.toBe(nsOf('self', type));
    // A namespace not asked for is the host's.
    expect(nsOf(pid, 'user')).toBe(nsOf('self', 'user'));
  });

  it('config-linux.md "User namespace mappings": v1-userns makes a user namespace whose root is host uid 100000', async () => {
    const id = s.id();
    const r = s.create(s.bundle('v1-userns'), id);
    expect(r.code, r.stderr).toBe(0);
    const pid = s.state(id).pid;
    const userNs = nsOf(pid, 'user');
    expect(userNs).not.toBe(nsOf('self', 'user'));
    expect(readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(s.ocirt(['start', id]).code).toBe(0);
    const report = probeReport(await waitForText(r.out, '}'));
    expect(report).toMatchObject({ pid: 1, uid: 0, gid: 0, euid: 0 });
    expect(`user:[${(report.namespaces as Record<string, number>).user}]`).toBe(userNs);
  });

  it('config-linux.md "Namespaces" and runtime.md "Delete": a namespace given by path is joined, and survives delete', async () => {
    const holder = s.helper('/usr/bin/unshare', ['--net', '/usr/bin/sleep', '100']);
    const holderNet = () => nsOf(holder.pid!, 'net');
    expect(await waitFor(() => isAlive(holder.pid!) && holderNet() !== nsOf('self', 'net'))).toBe(true);
    const joined = holderNet();
    const id = s.id();
    const bundle = s.bundle('v1-basic', (c) => {
      c.process!.args = ['/probe', 'report'];
      c.linux!.namespaces = c.linux!.namespaces!.map((ns) =>
        ns.type === 'network' ? { type: 'network', path: `/proc/${holder.pid}/ns/net` } : ns.type === 'ipc' ? { type: 'ipc', path: '/proc/self/ns/ipc' } : ns,
      );
    });
    const r = s.create(bundle, id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    const report = probeReport(await waitForText(r.out, '}'));
    const seen = report.namespaces as Record<string, number>;
    expect(`net:[${seen.net}]`).toBe(joined);
    expect(`ipc:[${seen.ipc}]`).toBe(nsOf('self', 'ipc'));
    expect(`uts:[${seen.uts}]`).not.toBe(nsOf('self', 'uts'));
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    // "namespaces associated with the container but not created by this container MUST NOT be deleted"
    expect(isAlive(holder.pid!)).toBe(true);
    expect(holderNet()).toBe(joined);
    expect(nsOf('self', 'ipc')).toBe(`ipc:[${seen.ipc}]`);
  });

  it.each(SAMPLES)('runtime.md "Create": a duplicate id MUST generate an error and the first container is untouched (%s)', (sample) => {
    const id = s.id();
    expect(s.create(s.bundle(sample), id).code).toBe(0);
    const before = s.state(id);
    const second = s.create(s.bundle(sample, (c) => (c.hostname = 'other')), id);
    expect(second.code).toBe(1);
    expect(lines(second.stderr)).toEqual([`ocirt: container "${id}" already exists`]);
    expect(s.state(id)).toEqual(before);
    expect(isAlive(before.pid)).toBe(true);
    expect(s.rootEntries()).toEqual([id]);
  });

  it.each([
    ['..', '..'],
    ['.', '.'],
    ['a/b', 'a/b'],
    ['empty', ''],
    ['1025 bytes', 'x'.repeat(1025)],
    ['a tab', 'a\tb'],
  ])('runtime.md "Create": an invalid id (%s) MUST generate an error and no container is made', (_what, id) => {
    const r = s.create(s.bundle('v1-basic'), id);
    expect(r.code).toBe(2); // a usage error
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^ocirt: invalid container id/);
    expect(s.rootEntries()).toEqual([]);
  });

  it('DESIGN.md "State": an id of 1024 bytes, longer than a file name may be, works through the whole lifecycle', () => {
    const id = 'y'.repeat(1024);
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    const st = s.ocirt(['state', id]);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'created' });
    expect(s.ocirt(['list', '--quiet']).stdout.trim()).toBe(id);
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    expect(s.rootEntries()).toEqual([]);
  });
});
