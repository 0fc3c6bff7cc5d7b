// oci-conformance's command line: flags in, options out, usage errors as UsageError (exit 2).
import { accessSync, constants, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Edition } from './harness/types.ts';

export const USAGE = `usage: oci-conformance --runtime PATH [--runtime PATH ...] [options]
       oci-conformance --runtimes A,B,C [options]
       oci-conformance --coverage

  --runtime PATH          a runtime binary under test (runc, crun, ocirt, ...); repeatable:
                          each runtime is run in turn, in the order given, and reported side by side
  --runtimes A,B,C        the same, several at once (combines with --runtime)
  --edition draft|v1|all  which editions' bundles to run tests with (default all)
  --filter TEXT           only tests whose ids or title contain TEXT
  --jobs N                tests at once, each isolated (default: the number of CPUs)
  --format FORMAT         summary (default), tap, json, junit or html
  --output FILE           write the report to FILE instead of stdout
  --runtime-tools DIR     also run DIR/validation/*/*.t (runtime-tools) and fold in their TAP
  --coverage              print catalogued / testable / tested MUSTs per spec file, and exit
  --v1-oci-version V      ociVersion of the v1 bundles instead of the sample's (crun 1.8: 1.0.2)
  --bundles DIR           the sample bundles (default: the project's bundles/)
  --help                  this text

Exit status: 0 when no test failed, 1 when one did (against any runtime), 2 on a usage error.`;

export const FORMATS = ['summary', 'tap', 'json', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** A runtime under test: its binary, absolute, and the short unique name reports show it by. */
export interface RuntimeArg {
  name: string;
  path: string;
}

export interface CliOptions {
  help: boolean;
  coverage: boolean;
  /** In the order given; empty only with --help or --coverage. */
  runtimes: RuntimeArg[];
  editions: Edition[];
  filter?: string;
  jobs: number;
  format: Format;
  output?: string;
  runtimeTools?: string;
  v1OciVersion?: string;
  bundles?: string;
}

export class UsageError extends Error {}

const FLAGS = {
  runtime: { type: 'string', multiple: true },
  runtimes: { type: 'string', multiple: true },
  edition: { type: 'string', default: 'all' },
  filter: { type: 'string' },
  jobs: { type: 'string' },
  format: { type: 'string', default: 'summary' },
  output: { type: 'string' },
  'runtime-tools': { type: 'string' },
  coverage: { type: 'boolean', default: false },
  'v1-oci-version': { type: 'string' },
  bundles: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, tokens } = parsed;
  const o: CliOptions = {
    help: values.help,
    coverage: values.coverage,
    runtimes: [],
    editions: editionsOf(values.edition),
    filter: values.filter,
    jobs: jobsOf(values.jobs),
    format: formatOf(values.format),
    output: values.output,
    runtimeTools: values['runtime-tools'],
    v1OciVersion: values['v1-oci-version'],
    bundles: values.bundles,
  };
  if (!o.help && !o.coverage) o.runtimes = runtimesOf(tokens);
  return o;
}

/** --runtime and --runtimes in the order they came (parseArgs' values would group them by flag). */
function runtimesOf(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string }>): RuntimeArg[] {
  const paths = tokens.flatMap((t) => {
    if (t.kind !== 'option' || t.value === undefined) return [];
    if (t.name === 'runtime') return [t.value];
    return t.name === 'runtimes' ? t.value.split(',').filter((p) => p !== '') : [];
  });
  if (paths.length === 0) throw new UsageError('--runtime PATH is required (or --coverage)');
  paths.forEach(checkRuntime);
  const abs = paths.map((p) => resolve(p));
  const again = paths.find((_, i) => abs.indexOf(abs[i]!) !== i);
  if (again !== undefined) throw new UsageError(`--runtime: ${again} is given more than once`);
  return uniqueNames(abs);
}

/** Each path's base name, "-2", "-3" ... after a name already taken ("runc", "runc-2"). */
export function uniqueNames(paths: string[]): RuntimeArg[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    let name = basename(path);
    for (let n = 2; taken.has(name); n++) name = `${basename(path)}-${n}`;
    taken.add(name);
    return { name, path };
  });
}

function editionsOf(s: string): Edition[] {
  if (s === 'all') return ['draft', 'v1'];
  if (s === 'draft' || s === 'v1') return [s];
  throw new UsageError(`--edition: "${s}" is not draft, v1 or all`);
}

function jobsOf(s: string | undefined): number {
  if (s === undefined) return Math.max(1, cpus().length);
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs: "${s}" is not a positive integer`);
  return n;
}

function formatOf(s: string): Format {
  const f = FORMATS.find((x) => x === s);
  if (f === undefined) throw new UsageError(`--format: "${s}" is not ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}`);
  return f;
}

function checkRuntime(path: string): void {
  try {
    accessSync(path, constants.X_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(`--runtime: ${path} is not an executable file`);
  }
}
