// Folding runtime-tools' TAP into suite results, on fixtures written for these tests
// (tests/fixtures/runtime-tools/): assertions with their YAML diagnostics, skips, and programs that
// bail out, crash, time out or fall short of their plan. Then the whole path, with fake `.t`
// programs under a fake runtime-tools checkout.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRecord, TestResult } from '../../conformance/harness/types.ts';
import { foldTap } from '../../conformance/runtime-tools/fold.ts';
import { findPrograms, programName, runRuntimeTools } from '../../conformance/runtime-tools/run.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/runtime-tools');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const exited = (code: number | null, o: Partial<CommandRecord> = {}): CommandRecord => ({ argv: ['/rt/validation/x/x.t'], code, signal: null, stdout: 'TAP…', stderr: '', ms: 5, timedOut: false, ...o });
const statuses = (rs: TestResult[]) => rs.map((r) => r.outcome.status);

describe('foldTap', () => {
  it('makes one passing result per ok assertion, in the area runtime-tools/<name>', () => {
    const rs = foldTap('create', fixture('passing.tap'), exited(0));
    expect(statuses(rs)).toEqual(['pass', 'pass']);
    expect(rs[0]).toMatchObject({ area: 'runtime-tools/create', edition: 'v1', test: { ids: [], title: 'create MUST generate an error if the ID is not provided' } });
  });

  it('turns a failing assertion into a failure with its YAML diagnostics as evidence', () => {
    const rs = foldTap('process', fixture('failing.tap'), exited(0, { stderr: 'warning\n' }));
    expect(statuses(rs)).toEqual(['pass', 'fail', 'fail', 'skip', 'skip']);
    const uid = rs[1]!;
    expect(uid.test.references).toEqual(['https://github.com/opencontainers/runtime-spec/blob/v1.0.0/config.md#user']);
    expect(uid.outcome).toMatchObject({ status: 'fail', expected: '0', actual: '1000', probe: { actual: 1000, expected: 0 } });
    expect(uid.outcome.status === 'fail' && uid.outcome.commands).toEqual([{ ...exited(0, { stderr: 'warning\n' }), stdout: '' }]);
    expect(rs[2]!.outcome).toMatchObject({ expected: 'kill MUST send the signal', actual: 'container "abc" does not exist' });
  });

  it('keeps skip and todo reasons', () => {
    const rs = foldTap('process', fixture('failing.tap'), exited(0));
    expect(rs[3]!.outcome).toEqual({ status: 'skip', reason: 'linux.intelRdt is not supported on this host' });
    expect(rs[4]!.outcome).toEqual({ status: 'skip', reason: 'todo: not implemented' });
  });

  it('adds a failure for a program that bailed out', () => {
    const rs = foldTap('mounts', fixture('bailout.tap'), exited(1));
    expect(statuses(rs)).toEqual(['pass', 'fail']);
    expect(rs[1]).toMatchObject({ test: { title: 'mounts ran to completion' }, outcome: { actual: 'bailed out: runtime create failed: exit status 1' } });
  });

  it('adds a failure for a program that crashed before its plan', () => {
    const rs = foldTap('delete', fixture('crashed.tap'), exited(2, { stderr: 'panic: runtime error: index out of range\n' }));
    expect(statuses(rs)).toEqual(['pass', 'pass', 'fail']);
    expect(rs[2]!.outcome).toMatchObject({ actual: 'no TAP plan (exit 2, 2 assertions)' });
    expect(rs[2]!.outcome.status === 'fail' && rs[2]!.outcome.commands[0]!.stderr).toContain('panic:');
  });

  it('adds a failure for a program killed by its timeout, or one that fell short of its plan', () => {
    expect(foldTap('hooks', fixture('crashed.tap'), exited(null, { timedOut: true, signal: 'SIGKILL', ms: 120000 })).at(-1)!.outcome).toMatchObject({ actual: 'timed out after 120000 ms' });
    expect(foldTap('state', fixture('short-plan.tap'), exited(0)).at(-1)!.outcome).toMatchObject({ actual: '2 of 4 planned assertions reported (exit 0)' });
    expect(statuses(foldTap('state', '', exited(127, { stderr: 'spawn: ENOENT' })))).toEqual(['fail']);
  });

  it('reports a program that skipped everything as one skip', () => {
    const rs = foldTap('linux_cgroups_memory', fixture('skip-all.tap'), exited(0));
    expect(rs).toHaveLength(1);
    expect(rs[0]!.outcome).toEqual({ status: 'skip', reason: 'needs a cgroup v1 memory controller' });
  });
});

describe('runRuntimeTools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-rt-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake checkout: validation/<name>/<name>.t scripts that print a fixture and echo $RUNTIME. */
  function program(name: string, script: string, mode = 0o755): void {
    mkdirSync(join(dir, 'validation', name), { recursive: true });
    writeFileSync(join(dir, 'validation', name, `${name}.t`), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, 'validation', name, `${name}.t`), mode);
  }
  program('create', `cat '${join(FIXTURES, 'passing.tap')}'; [ "$RUNTIME" = /fake/runc ] || echo "not ok 3 - RUNTIME was $RUNTIME"`);
  program('process', `cat '${join(FIXTURES, 'failing.tap')}'`);
  program('hooks', `echo 'TAP version 13'; echo 'ok 1 - first'; exec sleep 5`);
  program('readme', 'exit 0', 0o644);
  writeFileSync(join(dir, 'validation', 'create', 'notes.txt'), '');

  it('finds the executable .t files', () => {
    expect(findPrograms(dir).map(programName)).toEqual(['create', 'hooks', 'process']);
    expect(programName('/x/validation/linux_ns/other.t')).toBe('linux_ns/other');
  });

  it('runs each with RUNTIME set and folds its TAP, a hung one cut by its timeout', async () => {
    const rs = await runRuntimeTools({ dir, runtime: '/fake/runc', jobs: 3, timeoutMs: 1000 });
    const byArea = (a: string) => statuses(rs.filter((r) => r.area === `runtime-tools/${a}`));
    expect(byArea('create')).toEqual(['pass', 'pass']);
    expect(byArea('process')).toEqual(['pass', 'fail', 'fail', 'skip', 'skip']);
    expect(byArea('hooks')).toEqual(['pass', 'fail']);
    expect(rs.find((r) => r.test.title === 'hooks ran to completion')!.outcome).toMatchObject({ actual: expect.stringMatching(/^timed out after \d+ ms$/) });
  });
});
