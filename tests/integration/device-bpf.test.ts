// The cgroup v2 device program for real (config-linux.md "Allowed Device list"): attached to a
// temporary cgroup on the host's cgroup2 mount, it decides what a process moved into that cgroup
// may open. On this hybrid host cgroup2 has no controllers enabled, and device programs work anyway.
// Under Node (koffi), and once under Bun (bun:ffi, the compiled CLI's backend) through
// tests/fixtures/device-bpf-bun.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciError } from '../../src/errors.ts';
import { attachDeviceProgram, attachedDevicePrograms, DEVICE_PROGRAM_NAME, replaceDeviceProgram } from '../../src/linux/bpf.ts';
import type { DeviceRule } from '../../src/linux/cgroup-devices.ts';
import { deviceProgram, encodeInsns, insn, OP } from '../../src/linux/device-bpf.ts';
import { isRoot, NEEDS_ROOT, PROJECT } from './harness.ts';

/** Where cgroup2 is mounted (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one). */
function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [fields, fs] = line.split(' - ');
    if (fs?.split(' ')[0] === 'cgroup2') return fields!.split(' ')[4];
  }
  return undefined;
}

const UNIFIED = cgroup2Mount();
const ONLY_NULL: DeviceRule[] = [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }];
const ONLY_ZERO: DeviceRule[] = [{ allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }];
const DENIED = /Operation not permitted/;

describe.skipIf(!isRoot || !UNIFIED)(`cgroup v2 device program (${NEEDS_ROOT}; and a cgroup2 mount${UNIFIED ? '' : ' — none here'})`, () => {
  let cg: string;
  let n = 0;
  beforeEach(() => {
    cg = join(UNIFIED!, `ocirt-test-bpf-${process.pid}-${++n}`);
    mkdirSync(cg);
  });
  afterEach(async () => {
    // Removing the cgroup releases its programs; it must be empty first.
    const pids = existsSync(cg) ? readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean) : [];
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    for (let i = 0; i < 50 && existsSync(cg); i++) {
      try {
        rmdirSync(cg);
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // EBUSY until the killed have gone
      }
    }
  });

  /** A shell that moves itself into the cgroup, then opens `dev` for reading: its exit code and stderr. */
  function open(dev: string): { ok: boolean; stderr: string } {
    const r = spawnSync('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && exec head -c1 "$2"', 'sh', cg, dev], { encoding: 'utf8', timeout: 10_000 });
    return { ok: r.status === 0, stderr: r.stderr };
  }

  function expectOnly(allowed: string, denied: string): void {
    expect(open(allowed)).toEqual({ ok: true, stderr: '' });
    const refused = open(denied);
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toMatch(DENIED);
  }

  it('a program allowing only /dev/null: /dev/null opens, /dev/zero is refused (EPERM)', () => {
    attachDeviceProgram(cg, deviceProgram(ONLY_NULL));
    expectOnly('/dev/null', '/dev/zero');
    expect(attachedDevicePrograms(cg).map((p) => p.name)).toEqual([DEVICE_PROGRAM_NAME]);
  });

  it('replaceDeviceProgram swaps the rules and leaves one program of ours attached', () => {
    attachDeviceProgram(cg, deviceProgram(ONLY_NULL));
    const [before] = attachedDevicePrograms(cg);
    replaceDeviceProgram(cg, deviceProgram(ONLY_ZERO));
    // Were the old program still attached, /dev/zero would be refused: every program must allow.
    expectOnly('/dev/zero', '/dev/null');
    const after = attachedDevicePrograms(cg);
    expect(after.map((p) => p.name)).toEqual([DEVICE_PROGRAM_NAME]);
    expect(after[0]!.id).not.toBe(before!.id);
  });

  it('replaceDeviceProgram on a cgroup without a program attaches one', () => {
    replaceDeviceProgram(cg, deviceProgram(ONLY_NULL));
    expectOnly('/dev/null', '/dev/zero');
  });

  it("a program the verifier refuses is a cgroup error with the verifier's reason", () => {
    let err: unknown;
    try {
      attachDeviceProgram(cg, encodeInsns([insn(OP.EXIT)])); // returns r0 without setting it
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OciError);
    expect((err as OciError).code).toBe('cgroup');
    expect((err as OciError).message).toMatch(/^linux\.resources\.devices: loading the device program: permission denied \(EACCES\): R0 !read_ok$/);
    expect(attachedDevicePrograms(cg)).toEqual([]);
  });

  it('a missing cgroup directory is a cgroup error naming it', () => {
    const missing = join(cg, 'missing');
    expect(() => attachDeviceProgram(missing, deviceProgram(ONLY_NULL))).toThrow(`linux.resources.devices: opening the cgroup ${missing}: ENOENT`);
  });

  it('attaches and replaces under Bun (bun:ffi) too', () => {
    const bun = (op: string, rules: DeviceRule[]) => {
      const r = spawnSync(resolve(PROJECT, 'node_modules/.bin/bun'), [resolve(PROJECT, 'tests/fixtures/device-bpf-bun.ts'), cg, op, JSON.stringify(rules)], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { bun: boolean; error?: string };
    };
    expect(bun('attach', ONLY_NULL)).toEqual({ bun: true });
    expectOnly('/dev/null', '/dev/zero');
    expect(bun('replace', ONLY_ZERO)).toEqual({ bun: true });
    expectOnly('/dev/zero', '/dev/null');
    expect(attachedDevicePrograms(cg).map((p) => p.name)).toEqual([DEVICE_PROGRAM_NAME]);
  });
});
