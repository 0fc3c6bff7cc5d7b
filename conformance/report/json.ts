// Everything, for machines: the runtime, the counts and every result with its references.
import { counts, referencesOf, type ReportInput } from './common.ts';

export function formatJson(input: ReportInput): string {
  const results = input.results.map((r) => ({ ...r, references: referencesOf(r, input.referenceOf) }));
  return `${JSON.stringify({ runtime: input.runtime, counts: counts(input.results), results }, null, 2)}\n`;
}
