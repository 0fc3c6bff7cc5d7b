// The human report: the counts, then every failure with its evidence (what was expected, what was
// seen, each command with its exit and stderr), then one line per skip and unsupported operation.
import type { CommandRecord, Outcome } from '../harness/types.ts';
import { STATUSES, commandLine, counts, displayName, exitOf, referencesOf, type ReportInput } from './common.ts';

const INDENT = '    ';

export function formatSummary(input: ReportInput): string {
  const c = counts(input.results);
  const out = [`oci-conformance against ${input.runtime}: ${STATUSES.map((s) => `${c[s]} ${s}`).join(', ')} (${input.results.length} results)`];
  const failed = input.results.filter((r) => r.outcome.status === 'fail');
  if (failed.length > 0) out.push('', 'Failures:');
  for (const r of failed) out.push('', `FAIL ${displayName(r)}`, `  reference: ${referencesOf(r, input.referenceOf).join(', ')}`, ...evidence(r.outcome).map((l) => `  ${l}`));
  const others = input.results.filter((r) => r.outcome.status === 'skip' || r.outcome.status === 'unsupported');
  if (others.length > 0) out.push('', 'Not run:');
  for (const r of others) out.push(`  ${r.outcome.status === 'skip' ? 'SKIP' : 'UNSUPPORTED'} ${displayName(r)}: ${reasonOf(r.outcome)}`);
  return `${out.join('\n')}\n`;
}

/** A failure's evidence as lines: expected, actual, the probe's view and the commands. */
export function evidence(o: Outcome): string[] {
  if (o.status !== 'fail') return [];
  const lines = [`expected: ${o.expected}`, `actual:   ${o.actual}`];
  if (o.probe !== undefined) lines.push(`observed: ${JSON.stringify(o.probe)}`); // the probe's report, or runtime-tools' diagnostics
  if (o.commands.length > 0) lines.push('commands:');
  for (const c of o.commands) lines.push(...commandEvidence(c));
  return lines;
}

function commandEvidence(c: CommandRecord): string[] {
  const lines = [`  $ ${commandLine(c)}    # ${exitOf(c)}, ${c.ms} ms`];
  const stderr = c.stderr.trimEnd();
  const stdout = c.stdout.trimEnd();
  if (stdout !== '') lines.push(...stdout.split('\n').map((l) => `${INDENT}stdout| ${l}`));
  if (stderr !== '') lines.push(...stderr.split('\n').map((l) => `${INDENT}stderr| ${l}`));
  return lines;
}

const reasonOf = (o: Outcome) => (o.status === 'skip' || o.status === 'unsupported' ? o.reason : '');
