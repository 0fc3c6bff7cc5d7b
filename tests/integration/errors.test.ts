// runtime.md "Errors": "generating an error MUST leave the state of the environment as if the
// operation were never attempted". Every failing create, in both editions: exit 1, one line on
// stderr naming the config field, and no state directory, cgroup or mount left. Errors that
// validation finds (spec/validate.ts: unreadable config, schema, semantic checks, refusals) come
// before anything is made; the others (a mount the kernel refuses, a missing program) from the init.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/spec/config.ts';
import { eachTestSandbox, hostMountPoints, isRoot, lines, madeFor, NEEDS_ROOT, Sandbox } from './harness.ts';

type Case = [what: string, bundle: (s: Sandbox, sample: string) => string, stderr: RegExp];

const edited = (edit: (c: Config) => void) => (s: Sandbox, sample: string) => s.bundle(sample, edit);

const CASES: Case[] = [
  ['the bundle directory is missing', (s) => join(s.dir, 'no-such-bundle'), /^ocirt: config\.json: cannot read \/.*\/no-such-bundle\/config\.json: ENOENT$/],
  [
    'the bundle has no config.json',
    (s) => {
      const dir = join(s.dir, 'empty-bundle');
      mkdirSync(dir);
      return dir;
    },
    /^ocirt: config\.json: cannot read \/.*\/empty-bundle\/config\.json: ENOENT$/,
  ],
  [
    'config.json is not JSON',
    (s, sample) => {
      const dir = s.bundle(sample);
      writeFileSync(join(dir, 'config.json'), '{"ociVersion": ');
      return dir;
    },
    /^ocirt: config\.json: not valid JSON/,
  ],
  ['root.path names no directory', edited((c) => (c.root.path = '/no/such/rootfs')), /^ocirt: root\.path: \/no\/such\/rootfs does not exist$/],
  ['root.path is absent', edited((c) => delete (c.root as { path?: string }).path), /^ocirt: root: "path" is required$/],
  ['ociVersion is not SemVer', edited((c) => (c.ociVersion = 'one')), /^ocirt: ociVersion: "one" is not SemVer/],
  ['the kernel refuses linux.resources.cpu.cpus (no such CPU)', edited((c) => (c.linux!.resources = { cpu: { cpus: '4095' } })), /^ocirt: linux\.resources\.cpu\.cpus: writing "4095" to cpuset\.cpus: /],
  ['a seccomp action is unknown', edited((c) => (c.linux!.seccomp = { defaultAction: 'SCMP_ACT_NOPE' })), /^ocirt: linux\.seccomp\.defaultAction: /],
  ['a hard rlimit is above the host\'s without CAP_SYS_RESOURCE', edited((c) => (c.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 << 30 }])), /^ocirt: process\.rlimits\[0\]\.hard: RLIMIT_NOFILE/],
  // podman derives 126 from "permission denied" and 127 from "not found": a directory cannot be exec'd.
  ['args[0] exists but is not executable', edited((c) => (c.process!.args = ['/etc'])), /^ocirt: process\.args\[0\]: exec: "\/etc": permission denied$/],
  ['a sysctl is not namespaced', edited((c) => (c.linux!.sysctl = { 'vm.swappiness': '10' })), /^ocirt: linux\.sysctl\.vm\.swappiness: not/],
  ['apparmorProfile on a host without AppArmor', edited((c) => (c.process!.apparmorProfile = 'p')), /^ocirt: process\.apparmorProfile: AppArmor is not enabled on this host/],
  ['a device path already holds a different file', edited((c) => (c.linux!.devices = [{ path: '/probe', type: 'c', major: 1, minor: 3 }])), /^ocirt: linux\.devices\[0\] \(\/probe\): mknod \/probe: file exists/],
  ['a namespace type is given twice', edited((c) => c.linux!.namespaces!.push({ type: 'uts' })), /^ocirt: linux\.namespaces\[\d+\]\.type: namespace "uts" is given twice$/],
  [
    'a mount fails (type "nosuchfs")',
    edited((c) => c.mounts!.push({ destination: '/tmp', type: 'nosuchfs', source: 'none' })),
    /^ocirt: mounts\[7\] \(\/tmp\): mount nosuchfs on \/tmp: no such device$/,
  ],
  ['args[0] is not in the rootfs', edited((c) => (c.process!.args = ['nosuchprog'])), /^ocirt: process\.args\[0\]: exec: "nosuchprog": executable file not found in \$PATH$/],
  [
    'a namespace path does not exist',
    edited((c) => (c.linux!.namespaces = c.linux!.namespaces!.map((ns) => (ns.type === 'network' ? { type: 'network', path: '/proc/999999/ns/net' } : ns)))),
    /^ocirt: linux\.namespaces\[\d+\]\.path: \/proc\/999999\/ns\/net does not exist$/,
  ],
  [
    'a namespace path is not a namespace',
    edited((c) => (c.linux!.namespaces = c.linux!.namespaces!.map((ns) => (ns.type === 'ipc' ? { type: 'ipc', path: '/proc/self/ns/net' } : ns)))),
    /^ocirt: linux\.namespaces\[\d+\]\.path: \/proc\/self\/ns\/net is a namespace of type network \(net:\[\d+\]\), not ipc$/,
  ],
  ['args[0] names a missing file', edited((c) => (c.process!.args = ['/bin/nosuch'])), /^ocirt: process\.args\[0\]: exec: "\/bin\/nosuch": no such file or directory$/],
];

const SAMPLES = ['v1-basic', 'draft-basic'];
const TABLE = SAMPLES.flatMap((sample) => CASES.map(([what, bundle, stderr]) => [what, sample, bundle, stderr] as const));

describe.skipIf(!isRoot)(`failing create leaves nothing (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  it.each(TABLE)('runtime.md "Errors" and "Create": when %s (%s), create fails with one line naming the field and makes nothing', (_what, sample, bundle, stderr) => {
    const id = s.id();
    const dir = bundle(s, sample);
    const before = hostMountPoints();
    const pidFile = s.file('pid');
    const r = s.create(dir, id, ['--pid-file', pidFile]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(stderr);
    expect(madeFor(s, id, before)).toEqual([]);
    expect(existsSync(pidFile)).toBe(false);
    expect(s.ocirt(['state', id]).stderr).toMatch(/does not exist/);
  });

  it.each(SAMPLES)('runtime.md "Errors": a pid file that cannot be written fails create after the init exists, naming --pid-file, and nothing is left (%s)', (sample) => {
    const id = s.id();
    const before = hostMountPoints();
    const pidFile = join(s.dir, 'no-such-dir', 'pid');
    const r = s.create(s.bundle(sample), id, ['--pid-file', pidFile]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`ocirt: --pid-file: cannot write ${pidFile}: ENOENT`]);
    expect(madeFor(s, id, before)).toEqual([]);
  });

  it('runtime.md "Errors": a failed create does not take the id: the same id can be created afterwards', () => {
    const id = s.id();
    expect(s.create(s.bundle('v1-basic', (c) => (c.process!.args = ['nosuchprog'])), id).code).toBe(1);
    expect(s.create(s.bundle('v1-basic', (c) => c.mounts!.push({ destination: '/tmp', type: 'nosuchfs' })), id).code).toBe(1);
    const r = s.create(s.bundle('v1-basic'), id);
    expect(r.code, r.stderr).toBe(0);
    expect(s.state(id).status).toBe('created');
  });
});

// CONTRIBUTING.md "Errors": the message is one line. A config value with a newline, an escape
// sequence or U+2028 goes into it escaped (src/cli/escape.ts), on stderr and in both logs.
const CONTROL = 'no\nsuch\x1b[31m\u2028x';
const ESCAPED = 'no\\nsuch\\x1b[31m\\u2028x';

describe.skipIf(!isRoot)(`control characters in a config value stay escaped in the one-line error (${NEEDS_ROOT})`, () => {
  let s: Sandbox;
  eachTestSandbox((x) => (s = x));

  const ESCAPE_CASES = [
    ['the init fails (process.args[0])', (c: Config) => (c.process!.args = [`/bin/${CONTROL}`]), `process.args[0]: exec: "/bin/${ESCAPED}": no such file or directory`],
    ['validation fails (root.path)', (c: Config) => (c.root.path = `/${CONTROL}`), `root.path: /${ESCAPED} does not exist`],
  ] as const;

  it.each(ESCAPE_CASES)('when %s, stderr is exactly one line with \\n, \\x1b and \\u2028 escapes; so is the text log, and the JSON log has the same msg', (_what, edit, message) => {
    const id = s.id();
    const bundle = s.bundle('v1-basic', edit);
    const before = hostMountPoints();
    const text = s.file('log.txt');
    const r = s.ocirt(['--log', text, 'create', '--bundle', bundle, id], { stdout: s.file('out') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ocirt: ${message}\n`);
    // The text log: the error line, then (for findings) one line each; every one is an entry of its own.
    const logged = readFileSync(text, 'utf8').split('\n');
    expect(logged.pop()).toBe('');
    expect(logged[0]!.replace(/^\S+ /, '')).toBe(`error ${message}`);
    for (const l of logged) {
      expect(l).toMatch(/^\d{4}-\S+ error /);
      expect(l).toContain(ESCAPED);
    }
    const json = s.file('log.json');
    const j = s.ocirt(['--log', json, '--log-format', 'json', 'create', '--bundle', bundle, id], { stdout: s.file('out') });
    expect(j.stderr).toBe(r.stderr);
    const entries = lines(readFileSync(json, 'utf8'));
    expect(entries).toHaveLength(1);
    expect((JSON.parse(entries[0]!) as { msg: string }).msg).toBe(message);
    expect(madeFor(s, id, before)).toEqual([]);
  });

  it('ocirt validate: a mount destination with control characters gives one line per finding on stdout', () => {
    const bundle = s.bundle('v1-basic', (c) => c.mounts!.push({ destination: `tmp/${CONTROL}`, type: 'tmpfs', source: 'tmpfs' }));
    const r = s.ocirt(['validate', '--bundle', bundle]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `warning: /mounts/7/destination: a relative path is deprecated: it is taken as relative to "/" (v1.3.0/config.md "Mounts"); fix: use "/tmp/${ESCAPED}"`,
      `${bundle}: valid for v1.3.0 (0 errors, 1 warning)`,
      '',
    ]);
  });
});
