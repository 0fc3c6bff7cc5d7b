// ENGINES.md "Global flags": `--log FILE --log-format json` appends one JSON object a line,
// {"level":"error","msg":…,"time":<RFC3339>}, and the error still goes to stderr as one plain line.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, Sandbox } from './harness.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function logLines(file: string): Array<Record<string, unknown>> {
  return lines(readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!isRoot)(`logging (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it('ENGINES.md "Global flags": a failing state with --log F --log-format json writes one JSON error line; stderr has one line', () => {
    const id = s.id();
    const log = s.file('log.json');
    const r = s.ocirt(['--log', log, '--log-format', 'json', 'state', id]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`ocirt: container "${id}" does not exist`]);
    const entries = logLines(log);
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!).sort()).toEqual(['level', 'msg', 'time']);
    expect(entries[0]).toMatchObject({ level: 'error', msg: `container "${id}" does not exist` });
    expect(entries[0]!.time).toMatch(RFC3339);
  });

  it('ENGINES.md "Global flags": a failing create logs the field-naming error as JSON, appends to the file, and leaves nothing', () => {
    const id = s.id();
    const log = s.file('log.json');
    writeFileSync(log, '{"level":"info","msg":"earlier","time":"2000-01-01T00:00:00Z"}\n');
    const before = hostMountPoints();
    const bundle = s.bundle('v1-basic', (c) => c.mounts!.push({ destination: '/tmp', type: 'nosuchfs', source: 'none' }));
    const r = s.ocirt(['--log', log, '--log-format=json', 'create', '--bundle', bundle, id], { stdout: s.file('out') });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    const entries = logLines(log);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.msg).toBe('earlier');
    expect(entries[1]).toMatchObject({ level: 'error' });
    expect(entries[1]!.msg).toMatch(/^mounts\[7\] \(\/tmp\): mount nosuchfs on \S+: no such device$/);
    expect(`ocirt: ${entries[1]!.msg}\n`).toBe(r.stderr);
    expect(madeFor(s, id, before)).toEqual([]);
  });

  it.each([
    [['frob', 'x'], 'unknown command "frob"'],
    [['kill', '--bogus', 'x'], 'kill: unknown flag "--bogus"'],
    [['kill', 'x', 'SIGNOPE'], 'kill: unknown signal "SIGNOPE"'],
  ])('ENGINES.md "Global flags": a bad command line %j is logged too, so the last log line is this call\'s error', (args, message) => {
    const log = s.file('log.json');
    writeFileSync(log, JSON.stringify({ level: 'error', msg: 'a stale line from an earlier call', time: new Date().toISOString() }) + '\n');
    const r = s.ocirt(['--log', log, '--log-format', 'json', ...args]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`ocirt: ${message}`]);
    expect(logLines(log).at(-1)).toMatchObject({ level: 'error', msg: message });
  });

  it('ENGINES.md "Global flags": a command that succeeds writes nothing to the JSON log', () => {
    const id = s.id();
    const log = s.file('log.json');
    expect(s.ocirt(['--log', log, '--log-format', 'json', 'create', '--bundle', s.bundle('v1-basic'), id], { stdout: s.file('out') }).code).toBe(0);
    expect(s.ocirt(['--log', log, '--log-format', 'json', 'state', id]).code).toBe(0);
    expect(s.ocirt(['--log', log, '--log-format', 'json', 'delete', '--force', id]).code).toBe(0);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
  });
});
