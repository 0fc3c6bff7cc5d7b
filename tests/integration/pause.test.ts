// `pause` and `resume` (runc's commands): every process of the container is frozen by the cgroup
// freezer and makes no progress until thawed; `state` says `paused` meanwhile. Frozen containers
// still take `kill`, and `delete --force` of a paused one leaves nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cgroupDirsOf, eachTestSandbox, isRoot, lines, NEEDS_ROOT, Sandbox, sleep, waitFor, waitForStatus } from './harness.ts';

/** A probe that prints a line every 20 ms for about 20 s. */
const TICKER = ['/probe', ...Array.from({ length: 1000 }, () => ['print', 't', 'sleep', '0.02']).flat()];

describe.skipIf(!isRoot)(`pause and resume (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  async function ticking(): Promise<{ id: string; ticks: () => number }> {
    const id = s.id();
    const r = s.create(s.bundle('v1-basic', (c) => (c.process!.args = TICKER)), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.ocirt(['start', id]).code).toBe(0);
    const ticks = () => readFileSync(r.out, 'utf8').length;
    expect(await waitFor(() => ticks() > 0)).toBe(true);
    return { id, ticks };
  }

  it('a paused container makes no progress, state says paused, and resume lets it go on', async () => {
    const { id, ticks } = await ticking();
    const p = s.ocirt(['pause', id]);
    expect(p.code, p.stderr).toBe(0);
    expect(s.state(id).status).toBe('paused');
    expect(readFileSync(`${cgroupDirsOf(id).find((d) => d.includes('/freezer/'))}/freezer.state`, 'utf8').trim()).toBe('FROZEN');
    const frozenAt = ticks();
    await sleep(300);
    expect(ticks()).toBe(frozenAt);
    const r = s.ocirt(['resume', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.state(id).status).toBe('running');
    expect(await waitFor(() => ticks() > frozenAt)).toBe(true);
  });

  it('pause of a paused container and resume of a running one are errors that change nothing', async () => {
    const { id } = await ticking();
    const r = s.ocirt(['resume', id]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['ocirt: cannot resume a container that is running: it is not paused']);
    expect(s.ocirt(['pause', id]).code).toBe(0);
    const again = s.ocirt(['pause', id]);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual(['ocirt: cannot pause a container that is paused']);
    expect(s.state(id).status).toBe('paused');
  });

  it('a paused container cannot be started, pausing a stopped one is an error, and an unknown id is named', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'exit', '0'])), id).code).toBe(0);
    expect(s.ocirt(['pause', id]).code).toBe(0);
    expect(s.state(id).status).toBe('paused');
    expect(lines(s.ocirt(['start', id]).stderr)).toEqual(['ocirt: cannot start a container that is paused']);
    expect(s.ocirt(['resume', id]).code).toBe(0);
    expect(s.state(id).status).toBe('created');
    expect(s.ocirt(['start', id]).code).toBe(0);
    expect(await waitForStatus(s, id, 'stopped')).toBe('stopped');
    expect(lines(s.ocirt(['pause', id]).stderr)).toEqual(['ocirt: cannot pause a container that is stopped']);
    expect(lines(s.ocirt(['pause', 'no-such']).stderr)).toEqual(['ocirt: container "no-such" does not exist']);
  });

  it('kill KILL stops a paused container, and delete --force of a paused one leaves nothing', async () => {
    const first = await ticking();
    expect(s.ocirt(['pause', first.id]).code).toBe(0);
    expect(s.ocirt(['kill', first.id, 'KILL']).code).toBe(0);
    expect(await waitForStatus(s, first.id, 'stopped')).toBe('stopped');
    const second = await ticking();
    expect(s.ocirt(['pause', second.id]).code).toBe(0);
    const r = s.ocirt(['delete', '--force', second.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(cgroupDirsOf(second.id)).toEqual([]);
  });
});
