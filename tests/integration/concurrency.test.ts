// runtime.md "State" (an id "MUST be unique across all containers on this host") and "Create" (a
// taken id MUST generate an error and no new container), under a race: many callers at once.
import { describe, expect, it } from 'vitest';
import { cgroupDirsOf, cgroupPids, eachTestSandbox, isAlive, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor } from './harness.ts';

const CALLERS = 50;

describe.skipIf(!isRoot)(`concurrency (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(['v1-basic', 'draft-basic'])(
    `runtime.md "Create": ${CALLERS} concurrent creates of one id: exactly one succeeds, the rest MUST fail, one container exists (%s)`,
    async (sample) => {
      const id = s.id();
      const bundle = s.bundle(sample);
      const results = await Promise.all(
        Array.from({ length: CALLERS }, () => s.ocirtAsync(['create', '--bundle', bundle, id], { stdout: s.file('out'), timeout: 60_000 })),
      );
      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(CALLERS - 1);
      for (const r of losers) {
        expect(r.code).toBe(1);
        expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" already exists`]);
      }
      expect(s.rootEntries()).toEqual([id]);
      const st = s.state(id);
      expect(st.status).toBe('created');
      expect(isAlive(st.pid)).toBe(true);
      // One init in the container's cgroup: no loser's init survived.
      expect(await waitFor(() => cgroupPids(id).length === 1)).toBe(true);
      expect(cgroupPids(id)).toEqual([st.pid]);
      expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
      expect(cgroupDirsOf(id)).toEqual([]);
    },
    60_000,
  );
});
