// oci-conformance's command line: flags in, options out, usage errors as UsageError (exit 2).
import { accessSync, constants, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Edition } from './harness/types.ts';

export const USAGE = `usage: oci-conformance --runtime PATH [options]
       oci-conformance --coverage

  --runtime PATH          the runtime binary under test (runc, crun, ocirt, ...)
  --edition draft|v1|all  which editions' bundles to run tests with (default all)
  --filter TEXT           only tests whose ids or title contain TEXT
  --jobs N                tests at once, each isolated (default: the number of CPUs)
  --format FORMAT         summary (default), tap, json or junit
  --output FILE           write the report to FILE instead of stdout
  --runtime-tools DIR     also run DIR/validation/*/*.t (runtime-tools) and fold in their TAP
  --coverage              print catalogued / testable / tested MUSTs per spec file, and exit
  --v1-oci-version V      ociVersion of the v1 bundles instead of the sample's (crun 1.8: 1.0.2)
  --bundles DIR           the sample bundles (default: the project's bundles/)
  --help                  this text

Exit status: 0 when no test failed, 1 when one did, 2 on a usage error.`;

export type Format = 'summary' | 'tap' | 'json' | 'junit';

export interface CliOptions {
  help: boolean;
  coverage: boolean;
  runtime?: string;
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
  runtime: { type: 'string' },
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
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const o: CliOptions = {
    help: values.help,
    coverage: values.coverage,
    runtime: values.runtime,
    editions: editionsOf(values.edition),
    filter: values.filter,
    jobs: jobsOf(values.jobs),
    format: formatOf(values.format),
    output: values.output,
    runtimeTools: values['runtime-tools'],
    v1OciVersion: values['v1-oci-version'],
    bundles: values.bundles,
  };
  if (!o.help && !o.coverage) checkRuntime(o.runtime);
  return o;
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
  if (s === 'summary' || s === 'tap' || s === 'json' || s === 'junit') return s;
  throw new UsageError(`--format: "${s}" is not summary, tap, json or junit`);
}

function checkRuntime(path: string | undefined): void {
  if (path === undefined) throw new UsageError('--runtime PATH is required (or --coverage)');
  try {
    accessSync(path, constants.X_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(`--runtime: ${path} is not an executable file`);
  }
}
