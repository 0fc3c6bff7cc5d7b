// TAP 13 in runtime-tools' style: one test point per test × edition, YAML diagnostics on failures
// with a `reference` to the spec sentence of each id, what was expected and seen, and the commands
// (argv, exit, stderr). Skips carry their reason; unsupported operations are skips that say so.
import type { CommandRecord, TestResult } from '../harness/types.ts';
import { displayName, oneLine, referencesOf, type ReportInput } from './common.ts';
import { toYaml } from './yaml.ts';

export function formatTap(input: ReportInput): string {
  const lines = ['TAP version 13', `# oci-conformance against ${oneLine(input.runtime)}`];
  input.results.forEach((r, i) => lines.push(...testPoint(r, i + 1, input)));
  lines.push(`1..${input.results.length}`);
  return `${lines.join('\n')}\n`;
}

function testPoint(r: TestResult, n: number, input: ReportInput): string[] {
  const name = escapeName(displayName(r));
  const o = r.outcome;
  switch (o.status) {
    case 'pass':
      return [`ok ${n} - ${name}`];
    case 'skip':
      return [`ok ${n} - ${name} # SKIP ${oneLine(o.reason)}`];
    case 'unsupported':
      return [`ok ${n} - ${name} # SKIP unsupported: ${oneLine(o.reason)}`];
    case 'fail': {
      const refs = referencesOf(r, input.referenceOf);
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
