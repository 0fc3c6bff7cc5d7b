// node_modules/.bin/bun bench/validate.ts: in-process validation of a typical config
// (bundles/v1-basic) — read, edition, schema, semantic checks, ocirt's refusals — median over 1000
// runs after a warm-up, under Bun (the CLI's runtime). Also: what loading the validators costs,
// that they are precompiled (the generated modules import only ajv's small runtime helpers, never
// ajv itself), and, for scale, what compiling the v1 schema at start-up would have cost.
// Writes nothing: paste the figures into docs/performance.md.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PROJECT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_ITERATIONS ?? 1000);
const WARMUP = 200;

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

/** v1-basic as committed, in a directory with a rootfs (the sample's is built, not committed). */
function typicalBundle(work: string): string {
  const sample = join(PROJECT, 'bundles/v1-basic');
  if (existsSync(join(sample, 'rootfs'))) return sample;
  const dir = join(work, 'v1-basic');
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), readFileSync(join(sample, 'config.json')));
  return dir;
}

/** The generated validators must not import ajv's compiler: only ajv/dist/runtime/* and ajv-formats' formats. */
function precompiled(): { ok: boolean; imports: string[] } {
  const dir = join(PROJECT, 'src/spec/schema/generated');
  const imports = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/(?:from|require\()\s*"([^"]+)"/g)].map((m) => m[1]!));
  const allowed = (s: string) => s.startsWith('ajv/dist/runtime/') || s.startsWith('ajv-formats/dist/formats');
  return { ok: imports.every(allowed), imports: [...new Set(imports)] };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ocirt-bench-validate-'));
  try {
    const t0 = now();
    const { validateBundle, validateConfig } = await import('../src/spec/validate.ts');
    const load = now() - t0;
    const dir = typicalBundle(work);
    const t1 = now();
    const first = validateBundle(dir);
    const firstRun = now() - t1;
    if (first.findings.length > 0) throw new Error(`v1-basic is not clean: ${JSON.stringify(first.findings)}`);

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (let i = 0; i < WARMUP; i++) validateBundle(dir), validateConfig(config, dir);
    const whole: number[] = [];
    const inMemory: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = now();
      validateBundle(dir);
      whole.push(now() - t);
      t = now();
      validateConfig(config, dir);
      inMemory.push(now() - t);
    }

    const ajv2020 = (await import('ajv/dist/2020.js')).default as unknown as { default: new (o: object) => { compile(s: object): unknown } };
    const addFormats = (await import('ajv-formats')).default as unknown as { default: (a: unknown) => void };
    const schema = JSON.parse(readFileSync(join(PROJECT, 'src/spec/schema/config-v1.schema.json'), 'utf8'));
    const t2 = now();
    const ajv = new ajv2020.default({ strict: true, allErrors: true });
    addFormats.default(ajv);
    ajv.compile(schema);
    const compileCost = now() - t2;

    const pre = precompiled();
    console.log(`runtime: ${process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`}; bundle: ${dir}`);
    console.log(`validateBundle (read + parse + edition + schema + checks + refusals), ${RUNS} runs after ${WARMUP} warm-ups:`);
    console.log(`  median ${fmt(median(whole))}, p90 ${fmt(pct(whole, 0.9))}, p99 ${fmt(pct(whole, 0.99))}  (target <= 2 ms: ${median(whole) <= 2 ? 'met' : 'NOT met'})`);
    console.log(`validateConfig (the parsed config, no file read): median ${fmt(median(inMemory))}, p90 ${fmt(pct(inMemory, 0.9))}`);
    console.log(`loading the validate module and the precompiled validators: ${fmt(load)}; first validation: ${fmt(firstRun)}`);
    console.log(`validators precompiled (no ajv compiler imported): ${pre.ok ? 'yes' : 'NO'}; they import ${pre.imports.join(', ')}`);
    console.log(`for scale: compiling the v1 schema with ajv at start-up would cost ${fmt(compileCost)}`);
    if (!pre.ok) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
