// draft config.md "Root" and draft runtime.md "Lifecycle" step 6: with `root.autoremove` true the
// runtime invokes delete once the container's processes stop; without it the container stays.
// v1.3.0 has no `autoremove` (config.md "Extensibility": an unknown property is ignored).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, isRoot, leftovers, NEEDS_ROOT, Sandbox, waitFor, waitForStatus, waitForText } from './harness.ts';

/** Processes whose command line names `id`: an autoremove watcher runs `ocirt … delete --force ID`. */
function processesNaming(id: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(id) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      /* exited */
    }
  }
  return found;
}

describe.skipIf(!isRoot)(`autoremove (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('draft config.md "Root": with autoremove, once the init exits the container is deleted', async () => {
    const id = s.id();
    const r = s.create(s.bundle('draft-autoremove', (c) => (c.process!.args = ['/probe', 'print', 'done'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.state(id).status).toBe('created');
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForText(r.out, 'done')).toBe('done\n');
    expect(await waitForStatus(s, id, `exit 1: ocirt: container "${id}" does not exist`)).toBe(`exit 1: ocirt: container "${id}" does not exist`);
    expect(await waitFor(() => leftovers(id).length === 0)).toBe(true);
    expect(s.rootEntries()).toEqual([]);
    expect(await waitFor(() => processesNaming(id).length === 0)).toBe(true);
  });

  it('draft config.md "Root": with autoremove, a container killed while created is deleted too', async () => {
    const id = s.id();
    expect(s.create(s.bundle('draft-autoremove'), id).code).toBe(0);
    expect(s.ocirt(['kill', id, 'KILL']).code).toBe(0);
    expect(await waitFor(() => s.rootEntries().length === 0)).toBe(true);
    expect(leftovers(id)).toEqual([]);
  });

  it('draft config.md "Root": without autoremove the container stays, stopped, with no watcher for it', async () => {
    const id = s.id();
    const r = s.create(s.bundle('draft-basic', (c) => (c.process!.args = ['/probe', 'print', 'done'])), id);
    expect(r.code, r.stderr).toBe(0);
    expect(processesNaming(id)).toEqual([]);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(processesNaming(id)).toEqual([]);
    expect(s.state(id).status).toBe('stopped');
    expect(s.rootEntries()).toEqual([id]);
  });

  it('config.md (v1.3.0) "Extensibility": root.autoremove on a v1.3.0 bundle is ignored: the container stays, stopped', async () => {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => ((c.root.autoremove = true), (c.process!.args = ['/probe', 'print', 'done']))), id);
    expect(r.code, r.stderr).toBe(0);
    expect(processesNaming(id)).toEqual([]);
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(processesNaming(id)).toEqual([]);
    expect(s.rootEntries()).toEqual([id]);
  });
});
