// runtime.md "State" (an id "MUST be unique across all containers on this host") and "Create" (a
// taken id MUST generate an error and no new container), under a race: many callers at once.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { census, describeCensus, PAUSE_POINTS, rng, rootCgroupParents, spawnCreate, sweep } from '../reliability/crash.ts';
import { cgroupDirsOf, cgroupPids, eachTestSandbox, hostMountPoints, isAlive, isRoot, lines, NEEDS_ROOT, Sandbox, waitFor } from './harness.ts';

const CALLERS = 50;
const KILLED_RACES = 5;

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
      const parents = rootCgroupParents(id);
      expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
      expect(cgroupDirsOf(id)).toEqual([]);
      const left = census(s, id, [], parents);
      await sweep(left);
      expect(describeCensus(left)).toBe('nothing');
    },
    60_000,
  );

  // docs/reliability.md: the same race with every caller SIGKILLed while the winner is half way
  // through its create (stopped by a test hook at a random plan step or point of create.ts);
  // delete --force must then undo whatever it made.
  it(
    `${CALLERS} concurrent creates of one id, all SIGKILLed while the winner is half way, then delete --force: nothing is left, and the id is created again (${KILLED_RACES} rounds)`,
    async () => {
      const bundle = s.bundle('v1-basic');
      const random = rng(Number(process.env.OCIRT_TEST_SEED ?? 50));
      const problems: string[] = [];
      for (let round = 0; round < KILLED_RACES; round++) {
        const id = s.id();
        const before = hostMountPoints();
        const n = Math.floor(random() * (PAUSE_POINTS.length + 40));
        const at: Record<string, string> = n < PAUSE_POINTS.length ? { OCIRT_TEST_PAUSE_AT: PAUSE_POINTS[n]! } : { OCIRT_TEST_PAUSE_AT_STEP: String(n - PAUSE_POINTS.length) };
        const racers = Array.from({ length: CALLERS }, () => spawnCreate(s, bundle, id, at));
        // The losers fail at once; the winner stops at the hook (its marker is the one file all see).
        let exited = 0;
        for (const r of racers) void r.exited.then(() => exited++);
        const marker = join(s.root, id, 'test-paused');
        const settled = await waitFor(() => exited === CALLERS - 1 && existsSync(marker), 30_000);
        if (!settled) problems.push(`round ${round}: ${CALLERS - exited} creates running, marker ${existsSync(marker)}, at ${JSON.stringify(at)}`);
        await Promise.all(racers.map((r) => r.kill()));
        const del = s.ocirt(['delete', '--force', id]);
        if (del.code !== 0) problems.push(`round ${round}: delete --force exit ${del.code}: ${del.stderr.trim()}`);
        const left = census(s, id, before);
        await sweep(left);
        if (describeCensus(left) !== 'nothing') problems.push(`round ${round} (killed at ${JSON.stringify(at)}): left ${describeCensus(left)}`);
        const again = s.create(bundle, id);
        if (again.code !== 0) problems.push(`round ${round}: create again exit ${again.code}: ${again.stderr.trim()}`);
        const parents = rootCgroupParents(id);
        if (s.ocirt(['delete', '--force', id]).code !== 0) problems.push(`round ${round}: delete of the new container failed`);
        const left2 = census(s, id, before, parents);
        await sweep(left2);
        if (describeCensus(left2) !== 'nothing') problems.push(`round ${round}: the new container left ${describeCensus(left2)}`);
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});
