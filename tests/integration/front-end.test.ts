// bin/ocirt is the C front end (native/frontend): it answers `state` from the state directory's
// state.answers without starting Bun, and hands everything else to bin/ocirt-core. What it prints
// must be exactly what the core prints, in every status, and everything it does not answer (errors,
// other flags, a container being created) must reach the core unchanged.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { cgroupDirsOf, eachTestSandbox, isRoot, NEEDS_ROOT, PROJECT, Sandbox, waitFor, waitForStatus } from './harness.ts';

const CORE = join(PROJECT, 'bin/ocirt-core');
const FRONT = join(PROJECT, 'bin/ocirt');

/** Both programs on the same command line: code, stdout, stderr. */
function both(args: string[], env: Record<string, string> = {}) {
  const run = (bin: string) => {
    const r = spawnSync(bin, args, { encoding: 'utf8', env, timeout: 20_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { front: run(FRONT), core: run(CORE) };
}

describe.skipIf(!isRoot)(`the front end (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));
  const answers = (id: string) => join(s.root, id, 'state.answers');
  /** A created container whose process would sleep; `edit` changes its config. */
  const created = (edit: (c: Config) => void = () => {}) => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => { c.process!.args = ['/probe', 'sleep', '1000']; edit(c); }), id).code).toBe(0);
    return id;
  };

  /** The front end answered (state.answers exists) and gave the core's bytes. */
  function sameState(id: string, status: string): void {
    expect(existsSync(answers(id)), 'state.answers was written').toBe(true);
    const { front, core } = both(['--root', s.root, 'state', id]);
    expect(front).toEqual(core);
    expect(JSON.parse(front.stdout).status).toBe(status);
  }

  it('prints the core\'s document for a created, running, paused and stopped container', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '1000'])), id).code).toBe(0);
    sameState(id, 'created');
    expect(s.ocirt(['start', id]).code).toBe(0);
    sameState(id, 'running');
    expect(s.ocirt(['pause', id]).code).toBe(0);
    sameState(id, 'paused');
    expect(s.ocirt(['resume', id]).code).toBe(0);
    sameState(id, 'running');
    expect(s.ocirt(['kill', id, 'KILL']).code).toBe(0);
    await waitForStatus(s, id, 'stopped');
    sameState(id, 'stopped');
  });

  it('a pid whose start time is not the init\'s is a stopped container, as the core says', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '1000'])), id).code).toBe(0);
    // Another process at the init's pid: both read a start time that differs from the recorded one.
    for (const file of [answers(id), join(s.root, id, 'state.json')]) writeFileSync(file, readFileSync(file, 'utf8').replace(/("pidStartTime":"|start )(\d+)/, (_, k: string, t: string) => `${k}${Number(t) + 1}`));
    sameState(id, 'stopped');
  });

  it('leaves to the core what it does not answer: an unknown id, other flags, extra arguments, other commands', () => {
    for (const args of [['--root', s.root, 'state', 'nosuch'], ['--root', s.root, '--debug', 'state', 'nosuch'], ['--root', s.root, 'state'], ['--root', s.root, 'state', 'a', 'b'], ['--root', s.root, 'list'], ['--version'], ['--root', s.root, 'state', '../x']]) {
      const { front, core } = both(args);
      expect(front, args.join(' ')).toEqual(core);
    }
  });

  it('without state.answers (a crash between writes, or a create in progress) the core answers', async () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '1000'])), id).code).toBe(0);
    rmSync(answers(id));
    const { front, core } = both(['--root', s.root, 'state', id]);
    expect(front).toEqual(core);
    expect(JSON.parse(front.stdout).status).toBe('created');
  });

  it('a create in progress has no answers: the core says "creating"', async () => {
    const id = s.id();
    const bundle = s.bundle('v1-basic');
    const env = { OCIRT_TEST_PAUSE_AT: 'state-written' };
    const creating = spawnSync('sh', ['-c', `${FRONT} --root ${s.root} create --bundle ${bundle} ${id} >/dev/null 2>&1 & echo $!`], { encoding: 'utf8', env });
    const pid = Number(creating.stdout.trim());
    try {
      expect(await waitFor(() => existsSync(join(s.root, id, 'test-paused')))).toBe(true);
      expect(existsSync(answers(id))).toBe(false);
      const { front, core } = both(['--root', s.root, 'state', id]);
      expect(front).toEqual(core);
      expect(JSON.parse(front.stdout).status).toBe('creating');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('finds the default root as the core does: /run/ocirt for root, even with XDG_RUNTIME_DIR set (podman calls state with no --root)', () => {
    const id = s.id('default-root');
    const bundle = s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'sleep', '1000']));
    try {
      expect(spawnSync(FRONT, ['create', '--bundle', bundle, id], { stdio: 'ignore', env: {} }).status).toBe(0);
      expect(existsSync(join('/run/ocirt', id, 'state.answers'))).toBe(true);
      const { front, core } = both(['state', id], { XDG_RUNTIME_DIR: s.dir });
      expect(front).toEqual(core);
      expect(JSON.parse(front.stdout).status).toBe('created');
    } finally {
      spawnSync(FRONT, ['delete', '--force', id], { stdio: 'ignore', env: {} });
    }
  });

  describe('kill', () => {
    /** A started container whose init waits for a signal and prints it. */
    function waiting(): { id: string; out: string } {
      const id = s.id();
      const r = s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['/probe', 'print', 'ready', 'wait-signal'])), id);
      expect(r.code).toBe(0);
      expect(s.ocirt(['start', id]).code).toBe(0);
      return { id, out: r.out };
    }

    it('a decimal signal, or none (SIGTERM), reaches the init', async () => {
      for (const args of [['10'], []]) {
        const { id, out } = waiting();
        expect(await waitFor(() => readFileSync(out, 'utf8').includes('ready'))).toBe(true);
        const r = spawnSync(FRONT, ['--root', s.root, 'kill', id, ...args], { encoding: 'utf8', env: {} });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toBe('');
        expect(await waitFor(() => readFileSync(out, 'utf8').includes(`{"signal":${args[0] ?? 15}}`))).toBe(true);
      }
    });

    it('a stopped, unknown or paused container, a name or --all: the core decides, with its errors', async () => {
      const { id } = waiting();
      expect(s.ocirt(['pause', id]).code).toBe(0);
      const r = spawnSync(FRONT, ['--root', s.root, 'kill', id, '9'], { encoding: 'utf8', env: {} });
      expect(r.status, r.stderr).toBe(0);
      await waitForStatus(s, id, 'stopped'); // SIGKILL thawed it (kill.ts): the front end left it to the core
      for (const args of [['kill', id, '9'], ['kill', 'nosuch', '9'], ['kill', id, 'KILL'], ['kill', '--all', id, '9'], ['kill', id, '65']]) {
        const { front, core } = both(['--root', s.root, ...args]);
        expect(front, args.join(' ')).toEqual(core);
        expect(front.code).not.toBe(0);
      }
    });
  });

  describe('start', () => {
    const stateFile = (id: string) => join(s.root, id, 'state.json');

    it("carries out create's plan: the process runs, oom_score_adj is set, state.json is the core's with phase started", () => {
      const id = created((c) => (c.process!.oomScoreAdj = 300));
      expect(existsSync(join(s.root, id, 'start.plan'))).toBe(true);
      const before = JSON.parse(readFileSync(stateFile(id), 'utf8'));
      const r = spawnSync(FRONT, ['--root', s.root, 'start', id], { encoding: 'utf8', env: {} });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
      expect(JSON.parse(readFileSync(stateFile(id), 'utf8'))).toEqual({ ...before, phase: 'started' });
      expect(existsSync(join(s.root, id, 'start.plan'))).toBe(false);
      sameState(id, 'running');
      expect(readFileSync(`/proc/${before.pid}/oom_score_adj`, 'utf8').trim()).toBe('300');
      const again = both(['--root', s.root, 'start', id]);
      expect(again.front).toEqual(again.core); // a second start is the core's error
      expect(again.front.code).not.toBe(0);
    });

    it('a step that fails in the init is reported by the core, as if it had sent the message', () => {
      const viaFront = created((c) => (c.process!.cwd = '/nosuch'));
      const viaCore = created((c) => (c.process!.cwd = '/nosuch'));
      rmSync(join(s.root, viaCore, 'start.plan'));
      const front = spawnSync(FRONT, ['--root', s.root, 'start', viaFront], { encoding: 'utf8', env: {} });
      const core = spawnSync(FRONT, ['--root', s.root, 'start', viaCore], { encoding: 'utf8', env: {} });
      expect([front.status, front.stderr]).toEqual([core.status, core.stderr]);
      expect(front.stderr).toBe('ocirt: process.cwd (/nosuch): chdir /nosuch: no such file or directory\n');
      expect(JSON.parse(readFileSync(stateFile(viaFront), 'utf8')).phase).toBe('started');
    });

    it('a plan made for another state.json (written since) is not used: the core starts it', () => {
      const id = created();
      const state = JSON.parse(readFileSync(stateFile(id), 'utf8'));
      writeFileSync(stateFile(id), JSON.stringify({ ...state, annotations: { changed: 'yes' } }));
      expect(s.ocirt(['start', id]).code).toBe(0);
      expect(JSON.parse(readFileSync(stateFile(id), 'utf8'))).toMatchObject({ phase: 'started', annotations: { changed: 'yes' } });
    });

    it('no plan for a config with hooks around start or for the draft: the core starts those', () => {
      const hooked = created((c) => (c.hooks = { poststart: [{ path: '/bin/true' }] }));
      expect(existsSync(join(s.root, hooked, 'start.plan'))).toBe(false);
      const draft = s.id();
      expect(s.create(s.bundle('draft-basic', (c) => (c.process!.args = ['/probe', 'sleep', '1000'])), draft).code).toBe(0);
      expect(existsSync(join(s.root, draft, 'start.plan'))).toBe(false);
    });
  });

  describe('delete', () => {
    it("a stopped container's cgroups and state directory go, as the core removes them, without the core", async () => {
      const id = s.id();
      expect(s.create(s.bundle('v1-basic'), id).code).toBe(0);
      expect(s.ocirt(['start', id]).code).toBe(0);
      await waitForStatus(s, id, 'stopped');
      const cgroups = cgroupDirsOf(id);
      expect(cgroups.length).toBeGreaterThan(0);
      expect(readFileSync(answers(id), 'utf8')).toMatch(/\ndelete \d+\nleaf /);
      const r = spawnSync(FRONT, ['--root', s.root, 'delete', '--force', id], { encoding: 'utf8', env: {} });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
      expect(existsSync(join(s.root, id))).toBe(false);
      expect(cgroups.filter((d) => existsSync(d))).toEqual([]);
    });

    it('a live container, an unknown one, or one with hooks: the core decides', () => {
      const live = created();
      const { front, core } = both(['--root', s.root, 'delete', live]);
      expect(front).toEqual(core);
      expect(front.code).not.toBe(0);
      expect(both(['--root', s.root, 'delete', 'nosuch']).front).toEqual(both(['--root', s.root, 'delete', 'nosuch']).core);
      const hooked = created((c) => (c.hooks = { poststop: [{ path: '/bin/true' }] }));
      expect(readFileSync(answers(hooked), 'utf8')).not.toMatch(/\ndelete \d+\n/);
    });
  });
});
