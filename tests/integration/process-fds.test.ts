// The CVE-2024-21626 class: nothing of the host reaches the container's process through a file
// descriptor. The waiting init holds no fd of a host directory; the started process has only
// 0, 1 and 2; and a process.cwd through /proc/self/fd/N cannot land outside the rootfs.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, NEEDS_ROOT, probeReport, Sandbox, waitForStatus, waitForText } from './harness.ts';

/** fd → what it is, from the host: "dir:/path" for a directory, else the link's text. */
function fdsOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const path = `/proc/${pid}/fd/${fd}`;
    try {
      out[fd] = statSync(path).isDirectory() ? `dir:${readlinkSync(path)}` : readlinkSync(path);
    } catch {
      out[fd] = 'gone';
    }
  }
  return out;
}

describe.skipIf(!isRoot)(`file descriptors and cwd (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(['v1-basic', 'v1-userns'])('a created init (%s) holds no directory fd, and the started process has only 0, 1 and 2', async (sample) => {
    const id = s.id();
    const r = s.create(s.bundle(sample, (c) => (c.process!.args = ['/probe', 'print', 'up', 'sleep', '10'])), id);
    expect(r.code, r.stderr).toBe(0);
    const init = s.state(id).pid;
    expect(Object.entries(fdsOf(init)).filter(([, what]) => what.startsWith('dir:'))).toEqual([]);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForText(r.out, 'up')).toContain('up');
    expect(Object.keys(fdsOf(init)).sort()).toEqual(['0', '1', '2']);
  });

  it.each([3, 4, 5, 6, 7, 8, 9, 10])('process.cwd /proc/self/fd/%i does not leave the rootfs: start fails, or the cwd is inside', async (n) => {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => ((c.process!.cwd = `/proc/self/fd/${n}`), (c.process!.args = ['/probe', 'report']))), id);
    if (r.code !== 0) return expect(r.stderr).toMatch(/^ocirt: process\.cwd/);
    const started = s.ocirt(['start', id]);
    if (started.code !== 0) return expect(started.stderr).toMatch(/^ocirt: process\.cwd/);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    const cwd = probeReport(await waitForText(r.out, '}')).cwd as string;
    expect(cwd).not.toMatch(/unreachable/);
    expect(cwd.startsWith('/')).toBe(true);
  });
});
