// The executor's wire parser (native/executor/wire.c) against malformed plans: a build of the
// executor with AddressSanitizer and UBSan runs `print PLAN` (parse only) over mutations of valid
// plans — truncations, bit flips, extreme length and count fields, inserted and deleted bytes —
// and over random bytes. Each must be parsed or refused with one line on stderr: no crash, no
// sanitizer report, no hang. The figures are in docs/reliability.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan, encodePlan } from '../../src/plan/build.ts';
import type { Config } from '../../src/spec/config.ts';

const PROJECT = join(import.meta.dirname, '../..');
const CASES = 3000;
const work = mkdtempSync(join(tmpdir(), 'ocirt-wire-fuzz-'));
const executor = join(work, 'ocirt-executor-asan');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A small PRNG with a fixed seed, so a failure names a case that can be run again. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

/** Valid plans to start from: the sample bundles' configs, as create builds them. */
function seeds(): Buffer[] {
  return readdirSync(join(PROJECT, 'bundles'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const config = JSON.parse(readFileSync(join(PROJECT, 'bundles', e.name, 'config.json'), 'utf8')) as Config;
      const rootfs = join(PROJECT, 'bundles', e.name, 'rootfs');
      const edition = config.ociVersion.startsWith('0.') ? 'draft' : 'v1';
      const plan = buildPlan({ config, edition, rootfs, bundle: join(PROJECT, 'bundles', e.name), cgroupProcs: ['/sys/fs/cgroup/x/cgroup.procs'], cgroup: { v1: [], pureV2: false }, noPivot: false, host: { selinux: false, resctrl: false } });
      return encodePlan(plan);
    });
}

const EXTREMES = [0, 1, 0x7f, 0xff, 0x7fffffff, 0xffffffff];

function mutate(seed: Buffer, r: () => number): Buffer {
  const b = Buffer.from(seed);
  const at = () => Math.floor(r() * b.length);
  switch (Math.floor(r() * 6)) {
    case 0:
      return b.subarray(0, at()); // truncated
    case 1:
      for (let i = 0; i < 1 + r() * 8; i++) {
        const pos = at(); // bit flips
        b[pos] = b[pos]! ^ (1 << Math.floor(r() * 8));
      }
      return b;
    case 2: {
      const pos = Math.max(0, at() - 4); // a length or count field set to an extreme
      b.writeUInt32LE(EXTREMES[Math.floor(r() * EXTREMES.length)]!, Math.min(pos, b.length - 4));
      return b;
    }
    case 3: {
      const pos = at(); // bytes inserted
      return Buffer.concat([b.subarray(0, pos), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 16) }, () => Math.floor(r() * 256))), b.subarray(pos)]);
    }
    case 4: {
      const pos = at(); // bytes deleted
      return Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1 + Math.floor(r() * 16))]);
    }
    default:
      return Buffer.from(Array.from({ length: Math.floor(r() * 512) }, () => Math.floor(r() * 256))); // noise
  }
}

describe('the executor wire parser, fuzzed', () => {
  let built = '';
  beforeAll(() => {
    // The generated protocol header is in native/build (npm run build:native made it).
    const sources = readdirSync(join(PROJECT, 'native/executor')).filter((f) => f.endsWith('.c')).map((f) => join(PROJECT, 'native/executor', f));
    const r = spawnSync('gcc', ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', `-I${join(PROJECT, 'native/build')}`, '-o', executor, ...sources], { encoding: 'utf8' });
    built = r.status === 0 ? executor : `gcc -fsanitize=address,undefined failed: ${r.stderr.slice(0, 500)}`;
  });

  it(`parses or refuses ${CASES} malformed plans: no crash, no sanitizer report, no hang`, () => {
    expect(built, built).toBe(executor);
    const valid = seeds();
    const r = rng(20261201);
    const counts = { parsed: 0, refused: 0 };
    const file = join(work, 'plan.bin');
    for (let n = 0; n < CASES; n++) {
      const plan = mutate(valid[n % valid.length]!, r);
      writeFileSync(file, plan);
      const out = spawnSync(executor, ['print', file], { encoding: 'utf8', timeout: 5000, env: { ASAN_OPTIONS: 'detect_leaks=0', UBSAN_OPTIONS: 'print_stacktrace=1' } });
      const what = `case ${n}: ${plan.length} bytes ${plan.subarray(0, 64).toString('hex')}…`;
      expect(out.signal, `${what}: killed by ${out.signal} (a hang if SIGTERM)\n${out.stderr}`).toBeNull();
      expect(out.stderr, what).not.toMatch(/AddressSanitizer|runtime error:|LeakSanitizer/);
      expect([0, 1], `${what}: exit ${out.status}\n${out.stderr}`).toContain(out.status);
      if (out.status === 1) expect(out.stderr.trim().split('\n'), what).toHaveLength(1);
      counts[out.status === 0 ? 'parsed' : 'refused']++;
    }
    // Most mutations must be refused: a parser that accepts everything would also pass the rest.
    expect(counts.refused).toBeGreaterThan(CASES / 2);
    console.log(`wire fuzz: ${CASES} plans, ${counts.parsed} parsed, ${counts.refused} refused, no crash`);
  }, 300_000);
});
