// TAP 13 in runtime-tools' style: one test point per test × edition, YAML diagnostics on failures
// with a `reference` to the spec sentence of each id, what was expected and seen, and the commands
// (argv, exit, stderr). Tests the host or the runtime cannot run are skips that say which. With
// several runtimes, each runtime is a subtest (TAP 14's indented form, which TAP 13 parsers such
// as tap-parser read) whose own point fails when any of its tests did.
import type { CommandRecord, TestResult } from '../harness/types.ts';
import { LABEL, displayName, oneLine, referencesOf, type ReferenceOf } from './common.ts';
import type { RuntimeRun, RunsReport } from './runs.ts';
import { toYaml } from './yaml.ts';

export function formatTap(report: RunsReport): string {
  const { runs, referenceOf } = report;
  const body = runs.length === 1 ? runLines(runs[0]!, referenceOf) : [...runs.flatMap((run, i) => subtest(run, i + 1, referenceOf)), `1..${runs.length}`];
  return `${['TAP version 13', ...body].join('\n')}\n`;
}

/** One runtime's points and plan. */
function runLines(run: RuntimeRun, referenceOf?: ReferenceOf): string[] {
  const version = run.version === '' ? '' : ` (${oneLine(run.version)})`;
  const head = [`# oci-conformance against ${oneLine(run.runtime)}${version}`, ...run.notes.map((n) => `# note: ${oneLine(n)}`)];
  return [...head, ...run.results.flatMap((r, i) => testPoint(r, i + 1, referenceOf)), `1..${run.results.length}`];
}

function subtest(run: RuntimeRun, n: number, referenceOf?: ReferenceOf): string[] {
  const ok = run.results.every((r) => r.outcome.status !== 'fail');
  const name = escapeName(run.name);
  // A YAML literal block is one element holding newlines: indent every line of it.
  const indented = runLines(run, referenceOf).join('\n').split('\n').map((l) => `    ${l}`);
  return [`# Subtest: ${name}`, ...indented, `${ok ? 'ok' : 'not ok'} ${n} - ${name}`];
}

function testPoint(r: TestResult, n: number, referenceOf?: ReferenceOf): string[] {
  const name = escapeName(displayName(r));
  const o = r.outcome;
  switch (o.status) {
    case 'pass':
      return [`ok ${n} - ${name}`];
    case 'skip':
    case 'unsupported':
      return [`ok ${n} - ${name} # SKIP ${LABEL[o.status]}: ${oneLine(o.reason)}`];
    case 'fail': {
      const refs = referencesOf(r, referenceOf);
      // runtime-tools writes one reference as a plain string; several become a list.
      const diag = { reference: refs.length === 1 ? refs[0] : refs, expected: o.expected, actual: o.actual, commands: o.commands.map(command), observed: o.probe };
      return [`not ok ${n} - ${name}`, '  ---', ...toYaml(diag, 2), '  ...'];
    }
  }
}

/** The evidence of one call: stdout only when there is some (state's JSON is worth seeing). */
function command(c: CommandRecord): Record<string, unknown> {
  return { argv: c.argv, exit: c.code, signal: c.signal ?? undefined, timedOut: c.timedOut || undefined, stderr: c.stderr.trimEnd(), stdout: c.stdout.trimEnd() || undefined, ms: c.ms };
}

/** A test point's description may not hold a newline, and `#` would start a directive. */
const escapeName = (s: string) => oneLine(s).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
