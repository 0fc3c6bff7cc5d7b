// Crash safety (issue 9, part 3; docs/reliability.md): `ocirt create` SIGKILLed at any moment, then
// `delete --force ID`, leaves no live process of the container, no cgroup, no mount and no state
// directory, and the id can be created again (runtime.md "Errors": as if create never happened;
// "Delete": the resources create made are gone). The moments are every plan step of the executor
// (OCIRT_TEST_PAUSE_AT_STEP), every named point of create.ts (OCIRT_TEST_PAUSE_AT), and random times.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, hostMountPoints, isAlive, isRoot, NEEDS_ROOT, OCIRT, Sandbox, sleep, waitFor, waitForText } from '../integration/harness.ts';
import { census, describeCensus, leakCount, PAUSE_POINTS, processesOf, rng, rootCgroupParents, spawnCreate, sweep, type Census } from './crash.ts';

const RANDOM_KILLS = 100;
const DELETE_RACES = 30;

interface Outcome {
  at: string;
  problems: string[];
  /** What delete --force left of the killed create. */
  left?: Census;
  /** The id could not be created again. */
  stuck?: boolean;
}

describe.skipIf(!isRoot)(`crash safety (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  /** A container made and deleted once, to learn the root's cgroup parents; they must be gone whenever the root has no container. */
  function parentsOf(bundle: string): string[] {
    const id = s.id('probe');
    expect(s.create(bundle, id).code).toBe(0);
    const parents = rootCgroupParents(id);
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    return parents;
  }

  /** delete --force, the census, a create of the same id, its delete and the census again; leaks are counted, then swept. */
  async function afterKill(bundle: string, id: string, mountsBefore: string[], parents: string[], at: string): Promise<Outcome & { leaks: number }> {
    const problems: string[] = [];
    const del = s.ocirt(['delete', '--force', id]);
    if (del.code !== 0) problems.push(`delete --force exit ${del.code}: ${del.stderr.trim()}`);
    const left: Census = census(s, id, mountsBefore, parents);
    const leaks = leakCount(left);
    if (leaks) problems.push(`left: ${describeCensus(left)}`);
    await sweep(left);
    const again = s.create(bundle, id);
    if (again.code !== 0) problems.push(`create again exit ${again.code}: ${again.stderr.trim()}`);
    const del2 = s.ocirt(['delete', '--force', id]);
    if (again.code === 0 && del2.code !== 0) problems.push(`delete of the new container exit ${del2.code}: ${del2.stderr.trim()}`);
    const left2 = census(s, id, mountsBefore, parents);
    if (leakCount(left2)) problems.push(`left after the second container: ${describeCensus(left2)}`);
    await sweep(left2);
    return { at, problems, leaks, left, stuck: again.code !== 0 };
  }

  /** create stopped by a hook (`env`), SIGKILLed there; 'finished' when create ran to its end without stopping. */
  async function killAt(bundle: string, parents: string[], env: Record<string, string>, at: string): Promise<Outcome | 'finished'> {
    const id = s.id('k');
    const mountsBefore = hostMountPoints();
    const c = spawnCreate(s, bundle, id, env);
    const paused = await c.paused();
    if (paused !== 'paused') {
      if (paused === 0 && env.OCIRT_TEST_PAUSE_AT_STEP !== undefined) {
        expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
        return 'finished';
      }
      return { at, problems: [`create exited ${paused} before ${at}`] };
    }
    const marker = c.marker();
    await c.kill();
    // Before the init is journaled every stage dies with its creator by itself, delete or not (main.c).
    const stage = /stage ([01])$/.exec(marker)?.[1];
    const stateDir = join(s.root, id);
    const outlived = stage !== undefined && !(await waitFor(() => processesOf(stateDir, id).length === 0, 2000));
    const o = await afterKill(bundle, id, mountsBefore, parents, at);
    if (outlived) o.problems.unshift(`stage ${stage}'s processes outlived their creator`);
    return o;
  }

  /** Prints the figures docs/reliability.md quotes; returns the outcomes that went wrong. */
  const report = (what: string, outcomes: Outcome[]) => {
    const bad = outcomes.filter((o) => o.problems.length);
    const sum = (f: (c: Census) => number) => outcomes.reduce((n, o) => n + (o.left ? f(o.left) : 0), 0);
    const totals = `live processes ${sum((c) => c.processes.length)}, cgroup dirs ${sum((c) => c.cgroups.length)}, mounts ${sum((c) => c.mounts.length)}, state dirs ${sum((c) => (c.stateDir ? 1 : 0))}, ids not creatable again ${outcomes.filter((o) => o.stuck).length}`;
    console.log(`${what}: ${outcomes.length} cases, ${bad.length} left something or failed (${totals})${bad.length ? ':\n  ' + bad.map((o) => `${o.at}: ${o.problems.join('; ')}`).join('\n  ') : ''}`);
    return bad;
  };

  it.each(['v1-basic', 'v1-userns'])(
    'SIGKILL of create at every plan step and every pause point of create.ts, then delete --force: nothing is left, and the id is created again (%s)',
    async (sample) => {
      const bundle = s.bundle(sample);
      const parents = parentsOf(bundle);
      const outcomes: Outcome[] = [];
      for (const point of PAUSE_POINTS) {
        const o = await killAt(bundle, parents, { OCIRT_TEST_PAUSE_AT: point }, point);
        if (o !== 'finished') outcomes.push(o);
      }
      let steps = 0;
      for (; steps < 500; steps++) {
        const o = await killAt(bundle, parents, { OCIRT_TEST_PAUSE_AT_STEP: String(steps) }, `step ${steps}`);
        if (o === 'finished') break;
        outcomes.push(o);
      }
      expect(steps).toBeGreaterThan(10); // the hook works: a plan has its cgroup, listen, namespace and mount steps
      expect(report(`${sample}: ${PAUSE_POINTS.length} pause points and ${steps} plan steps`, outcomes)).toEqual([]);
    },
    240_000,
  );

  it(`${RANDOM_KILLS} SIGKILLs of create at random times, each followed by delete --force: nothing is left, and the id is created again`, async () => {
    const bundle = s.bundle('v1-basic');
    const parents = parentsOf(bundle);
    // The kills land within a create: its duration, measured here, bounds the delay.
    const t0 = Date.now();
    const probe = s.id('probe');
    expect(s.create(bundle, probe).code).toBe(0);
    const span = Math.max(20, Math.round((Date.now() - t0) * 1.2));
    expect(s.ocirt(['delete', '--force', probe]).code).toBe(0);
    const seed = Number(process.env.OCIRT_TEST_SEED ?? Date.now() % 2 ** 31);
    const random = rng(seed);
    const outcomes: Outcome[] = [];
    let leaks = 0;
    for (let i = 0; i < RANDOM_KILLS; i++) {
      const id = s.id('r');
      const mountsBefore = hostMountPoints();
      const delay = Math.floor(random() * span);
      const c = spawnCreate(s, bundle, id);
      await sleep(delay);
      await c.kill();
      const o = await afterKill(bundle, id, mountsBefore, parents, `kill ${i} after ${delay} ms`);
      leaks += o.leaks;
      outcomes.push(o);
    }
    console.log(`random kills: seed ${seed} (OCIRT_TEST_SEED), delays 0-${span} ms, ${leaks} leaked resources`);
    expect(report(`${RANDOM_KILLS} random kills`, outcomes)).toEqual([]);
  }, 240_000);

  it(`delete --force concurrent with create of the same id, ${DELETE_RACES} times: nothing leaks, and the id is then free or its container complete and deletable`, async () => {
    const bundle = s.bundle('v1-basic');
    const parents = parentsOf(bundle);
    const random = rng(Number(process.env.OCIRT_TEST_SEED ?? 7));
    const outcomes: Outcome[] = [];
    const split = { complete: 0, deleted: 0, failed: 0 };
    for (let i = 0; i < DELETE_RACES; i++) {
      const id = s.id('d');
      const mountsBefore = hostMountPoints();
      const problems: string[] = [];
      const delay = Math.floor(random() * 50);
      const c = spawnCreate(s, bundle, id);
      await sleep(delay);
      const del = await s.ocirtAsync(['delete', '--force', id]);
      const created = await c.exited;
      if (del.code !== 0) problems.push(`delete --force exit ${del.code}: ${del.stderr.trim()}`);
      split[created !== 0 ? 'failed' : s.rootEntries().includes(id) ? 'complete' : 'deleted']++;
      if (s.rootEntries().includes(id)) {
        // create won (delete came first and found nothing): the container is whole.
        const st = s.ocirt(['state', id]);
        const status = st.code === 0 ? (JSON.parse(st.stdout) as { status: string; pid: number }) : undefined;
        if (status?.status !== 'created' || !isAlive(status.pid)) problems.push(`create exit ${created}, state: ${st.stdout.trim() || st.stderr.trim()}`);
        const del2 = s.ocirt(['delete', '--force', id]);
        if (del2.code !== 0) problems.push(`delete of the created container exit ${del2.code}: ${del2.stderr.trim()}`);
      }
      const left = census(s, id, mountsBefore, parents);
      if (leakCount(left)) problems.push(`left: ${describeCensus(left)} (create exit ${created})`);
      await sweep(left);
      const again = s.create(bundle, id);
      if (again.code !== 0) problems.push(`create again exit ${again.code}: ${again.stderr.trim()}`);
      if (s.ocirt(['delete', '--force', id]).code !== 0) problems.push('delete of the new container failed');
      outcomes.push({ at: `race ${i} (delete after ${delay} ms)`, problems, left, stuck: again.code !== 0 });
    }
    // failed: delete took the reservation first (create: "was deleted while it was being created").
    console.log(`delete races: create made a whole container that delete then found ${split.deleted}, that outlived delete ${split.complete}; create failed ${split.failed}`);
    expect(report(`${DELETE_RACES} delete --force races`, outcomes)).toEqual([]);
  }, 120_000);

  it('delete --force between the reservation and the lock: delete removes the empty reservation, and create fails having made nothing', async () => {
    const bundle = s.bundle('v1-basic');
    const id = s.id();
    const mountsBefore = hostMountPoints();
    const c = spawnCreate(s, bundle, id, { OCIRT_TEST_PAUSE_AT: 'reserved' }, s.file('err'));
    expect(await c.paused()).toBe('paused');
    // delete takes the lock create has yet to take; removing the directory (the marker with it) lets create go on.
    const del = s.ocirt(['delete', '--force', id]);
    expect(del.code, del.stderr).toBe(0);
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toBe(`ocirt: container "${id}" was deleted while it was being created\n`);
    const left = census(s, id, mountsBefore);
    await sweep(left);
    expect(describeCensus(left)).toBe('nothing');
    expect(s.create(bundle, id).code).toBe(0);
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['garbage', () => '\u0000\u00ff{{not json'],
    ['empty', () => ''],
  ] as const)('delete --force of a created container whose state.json is %s: the init is killed, the cgroup and the state directory removed', async (_, spoil) => {
    const bundle = s.bundle('v1-basic');
    const id = s.id();
    const mountsBefore = hostMountPoints();
    expect(s.create(bundle, id).code).toBe(0);
    const pid = s.state(id).pid;
    const parents = rootCgroupParents(id);
    const file = join(s.root, id, 'state.json');
    writeFileSync(file, spoil(JSON.stringify(s.state(id))));
    const r = s.ocirt(['delete', '--force', id]);
    const alive = isAlive(pid);
    const left = census(s, id, mountsBefore, parents);
    await sweep(left); // counted first, swept before any assertion can stop the test
    expect(r.code, r.stderr).toBe(0);
    expect(alive).toBe(false);
    expect(describeCensus(left)).toBe('nothing');
    expect(s.create(bundle, id).code).toBe(0);
  });

  it('delete --force of a state directory holding only a half-written state.json (no journal) removes it', () => {
    const id = s.id();
    const dir = join(s.root, id);
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
    expect(s.ocirt(['delete', '--force', id]).code).toBe(0);
    // What a create killed inside a write would leave: the reservation and a torn file.
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'state.json'), '{"ociVersion":"1.3.0","id":');
    const r = s.ocirt(['delete', '--force', id]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.rootEntries()).toEqual([]);
    expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
  });

  it('run killed once its container runs: the container and the executor that reaps it outlive it', async () => {
    const bundle = s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'print', 'ready', 'sleep', '100']));
    const id = s.id();
    const out = s.file('out');
    const fd = openSync(out, 'a');
    const run = spawn(OCIRT, ['--root', s.root, 'run', '--bundle', bundle, id], { stdio: ['ignore', fd, fd], env: {} });
    closeSync(fd);
    const exited = new Promise((resolve) => run.once('exit', resolve));
    expect(await waitForText(out, 'ready')).toContain('ready');
    const pid = s.state(id).pid;
    const reaper = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    expect(readFileSync(`/proc/${reaper}/comm`, 'utf8').trim()).toBe('ocirt:[0:HOST]');
    run.kill('SIGKILL');
    await exited;
    await sleep(50); // a death signal left armed would have struck by now
    expect(isAlive(pid)).toBe(true);
    expect(isAlive(reaper)).toBe(true);
    expect(s.state(id).status).toBe('running');
  });

  it('create killed after it recorded the container (pause point "created"): the container outlives it and can be started', async () => {
    const bundle = s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'print', 'started']));
    const id = s.id();
    const c = spawnCreate(s, bundle, id, { OCIRT_TEST_PAUSE_AT: 'created' });
    expect(await c.paused()).toBe('paused');
    await c.kill();
    const st = s.state(id);
    expect(st.status).toBe('created');
    await sleep(50); // a death signal left armed would have struck by now
    expect(isAlive(st.pid)).toBe(true);
    expect(s.ocirt(['start', id]).code).toBe(0);
  });
});
