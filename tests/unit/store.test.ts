import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { type StoredState, Store, deriveStatus } from '../../src/state/store.ts';

const BUN = resolve('node_modules/.bin/bun');
const STORE_TS = resolve('src/state/store.ts');

let tmp: string;
let root: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(join(tmpdir(), 'ocirt-store-'));
  root = join(tmp, 'root'); // not created yet: the store makes it
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function state(id: string, over: Partial<StoredState> = {}): StoredState {
  return {
    ociVersion: '1.3.0',
    id,
    pid: 1234,
    pidStartTime: '5678',
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: '2024-01-02T03:04:05.123456789Z',
    owner: '',
    annotations: { a: 'b' },
    phase: 'created',
    edition: 'v1',
    autoremove: false,
    namespaces: [{ type: 'pid' }, { type: 'network', path: '/proc/1/ns/net' }],
    ...over,
  };
}

function caught(fn: () => unknown): OciError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('Store', () => {
  it('reserves a 0700 dir under a 0700 root it creates, and writes and reads state', () => {
    const store = new Store(root);
    const dir = store.reserve('c1');
    expect(dir).toBe(join(root, 'c1'));
    expect(mode(root)).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    const s = state('c1', { exitStatus: 3, cgroup: { dirs: ['/x'], created: [] }, extra: { k: [1] } });
    store.write(s);
    expect(store.read('c1')).toEqual(s);
    expect(mode(join(dir, 'state.json'))).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['state.json']); // no temporary file left behind
  });

  it('replaces state.json by rename, never in place', () => {
    const store = new Store(root);
    store.reserve('c1');
    store.write(state('c1'));
    const before = fs.statSync(join(root, 'c1', 'state.json')).ino;
    store.write(state('c1', { phase: 'started' }));
    expect(fs.statSync(join(root, 'c1', 'state.json')).ino).not.toBe(before);
    expect(store.read('c1').phase).toBe('started');
  });

  it('a concurrent reader never sees a partial state.json', async () => {
    const store = new Store(root);
    const dir = store.reserve('c1');
    store.write(state('c1'));
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); let bad = 0, reads = 0, stop = false;
         process.stdin.on('data', () => { stop = true; });
         process.stdout.write('ready\\n');
         (function loop() {
           for (let i = 0; i < 200; i++) {
             reads++;
             try { JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); } catch { bad++; }
           }
           if (stop) { process.stdout.write(reads + ' ' + bad + '\\n'); process.exit(0); }
           setImmediate(loop);
         })();`,
        join(dir, 'state.json'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: reader.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');
    for (let i = 0; i < 300; i++) {
      store.write(state('c1', { annotations: { pad: 'x'.repeat((i * 997) % 20000) } }));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    reader.stdin!.write('stop\n');
    const [reads, bad] = String((await lines.next()).value).split(' ').map(Number);
    expect(reads).toBeGreaterThan(0);
    expect(bad).toBe(0);
  });

  it('read of a missing container is not-found', () => {
    const store = new Store(root);
    const err = caught(() => store.read('nope'));
    expect(err.code).toBe('not-found');
    expect(err.message).toBe('container "nope" does not exist');
    store.reserve('reserved'); // reserved but no state yet
    expect(caught(() => store.read('reserved')).code).toBe('not-found');
  });

  it('write without a reserved dir is not-found', () => {
    expect(caught(() => new Store(root).write(state('ghost'))).code).toBe('not-found');
  });

  it('rejects invalid ids before touching the filesystem', () => {
    const store = new Store(root);
    expect(caught(() => store.reserve('../escape')).code).toBe('usage');
    expect(caught(() => store.read('..')).code).toBe('usage');
    expect(caught(() => store.remove('a/b')).code).toBe('usage');
    expect(fs.existsSync(root)).toBe(false);
  });

  it('reserve of a taken id is exists', () => {
    const store = new Store(root);
    store.reserve('c1');
    const err = caught(() => store.reserve('c1'));
    expect(err.code).toBe('exists');
    expect(err.message).toBe('container "c1" already exists');
  });

  it('lists ids with a state.json, sorted; exists and remove agree', () => {
    const store = new Store(root);
    expect(store.list()).toEqual([]); // no root yet
    for (const id of ['b', 'a', 'C', 'c']) {
      store.reserve(id);
      store.write(state(id));
    }
    store.reserve('no-state');
    fs.writeFileSync(join(root, 'stray file'), '');
    expect(store.list()).toEqual(['C', 'a', 'b', 'c']);
    expect(store.exists('a')).toBe(true);
    expect(store.exists('no-state')).toBe(false);
    expect(store.exists('zzz')).toBe(false);
    store.remove('a');
    store.remove('a'); // absent: fine
    store.remove('never');
    expect(store.exists('a')).toBe(false);
    expect(store.list()).toEqual(['C', 'b', 'c']);
  });

  it('of 50 processes reserving one id at once, exactly one wins', async () => {
    const code = `
      import { Store } from ${JSON.stringify(STORE_TS)};
      const store = new Store(process.env.ROOT);
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => {
        try { store.reserve('same'); console.log('won'); }
        catch (e) { console.log(e.code === 'exists' ? 'exists' : 'error ' + e.message); }
        process.exit(0);
      });`;
    const procs = Array.from({ length: 50 }, () => {
      const p = spawn(BUN, ['-e', code], { env: { ...process.env, ROOT: root }, stdio: ['pipe', 'pipe', 'inherit'] });
      return { p, lines: createInterface({ input: p.stdout! })[Symbol.asyncIterator]() };
    });
    for (const { lines } of procs) expect((await lines.next()).value).toBe('ready');
    for (const { p } of procs) p.stdin!.write('go\n'); // all are waiting: release them together
    const results = await Promise.all(procs.map(async ({ lines }) => String((await lines.next()).value)));
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(49);
  });
});

describe('the journal and unreadable state (docs/reliability.md)', () => {
  it('folds appended entries, the last of each key winning; none is an empty journal', () => {
    const store = new Store(root);
    store.reserve('c1');
    expect(store.readJournal('c1')).toEqual({});
    store.journal('c1', { cgroup: { dirs: ['/cg/a'], created: ['/cg', '/cg/a'] } });
    store.journal('c1', { cgroup: { dirs: ['/cg/a'], created: ['/cg/a'] } });
    store.journal('c1', { mntNs: 'mnt:[4026532000]' });
    // The executor's line (main.c journal_init), appended by another process.
    fs.appendFileSync(join(root, 'c1', 'journal'), '{"init":{"pid":4242,"startTime":"735001"}}\n');
    expect(store.readJournal('c1')).toEqual({ cgroup: { dirs: ['/cg/a'], created: ['/cg/a'] }, mntNs: 'mnt:[4026532000]', init: { pid: 4242, startTime: '735001' } });
    expect(mode(join(root, 'c1', 'journal'))).toBe(0o600);
  });

  it('skips a line torn by a crash and entries of the wrong shape', () => {
    const store = new Store(root);
    store.reserve('c1');
    store.journal('c1', { init: { pid: 7, startTime: '1' } });
    fs.appendFileSync(join(root, 'c1', 'journal'), '{"init":{"pid":0,"startTime":"2"}}\n[1]\n{"cgroup":{"dirs":"/x"}}\n{"init":{"pid":9,"sta');
    expect(store.readJournal('c1')).toEqual({ init: { pid: 7, startTime: '1' } });
  });

  it('journal of a removed container is not-found', () => {
    expect(caught(() => new Store(root).journal('ghost', { mntNs: 'x' })).code).toBe('not-found');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['cut short', '{"ociVersion":"1.3.0","id":"c1","pi'],
    ['garbage', '\u0000\u00ff'],
    ['another container\'s', JSON.stringify(state('c2'))],
  ])('readIfWhole of a %s state.json is undefined, and read says why', (_, text) => {
    const store = new Store(root);
    store.reserve('c1');
    if (text !== undefined) fs.writeFileSync(join(root, 'c1', 'state.json'), text);
    expect(store.readIfWhole('c1')).toBeUndefined();
    const err = caught(() => store.read('c1'));
    expect(err.code).toBe(text === undefined ? 'not-found' : 'internal');
    if (text !== undefined) expect(err.message).toMatch(/^corrupt state file /);
    expect(store.reserved('c1')).toBe(true);
    expect(store.exists('c1')).toBe(text !== undefined);
  });

  it('readIfWhole of a whole state is the state', () => {
    const store = new Store(root);
    store.reserve('c1');
    store.write(state('c1'));
    expect(store.readIfWhole('c1')).toEqual(state('c1'));
    expect(store.reserved('c2')).toBe(false);
  });
});

describe('deriveStatus', () => {
  const alive = () => true;
  const dead = () => false;

  it.each([
    ['creating', alive, 'creating'],
    ['creating', dead, 'stopped'],
    ['created', alive, 'created'],
    ['created', dead, 'stopped'],
    ['started', alive, 'running'],
    ['started', dead, 'stopped'],
    ['stopped', alive, 'stopped'],
    ['stopped', dead, 'stopped'],
  ] as const)('%s with a %o process is %s', (phase, liveness, want) => {
    expect(deriveStatus(state('x', { phase }), liveness)).toBe(want);
  });

  it('passes pid and start time to the liveness check, and treats pid 0 as dead', () => {
    const seen: unknown[] = [];
    deriveStatus(state('x', { pid: 42, pidStartTime: '99' }), (pid, st) => (seen.push(pid, st), true));
    expect(seen).toEqual([42, '99']);
    expect(deriveStatus(state('x', { phase: 'started', pid: 0 }), alive)).toBe('stopped');
  });
});
