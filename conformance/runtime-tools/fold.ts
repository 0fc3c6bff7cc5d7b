// Folds one runtime-tools validation program's TAP into suite results under the area
// `runtime-tools/<name>`: one result per assertion (its YAML `reference` becomes the result's
// reference, `expected`/`actual`/`error` its evidence), plus one failing result for the program
// itself when it did not run to a clean end — a bail-out, a crash, a timeout or a missing or
// short plan — since runtime-tools' weak spot is that one fatal check aborts the whole file.
import { Parser, type FinalResults, type Result } from 'tap-parser';
import type { CommandRecord, Outcome, TestResult } from '../harness/types.ts';

export function foldTap(name: string, tap: string, program: CommandRecord): TestResult[] {
  const asserts: Result[] = [];
  let bailout: string | undefined;
  let final: FinalResults | undefined;
  const p = new Parser();
  p.on('assert', (r: Result) => asserts.push(r));
  p.on('bailout', (reason: string) => (bailout = reason));
  p.on('complete', (f: FinalResults) => (final = f));
  p.end(tap);
  const area = `runtime-tools/${name}`;
  const end = programEnd(area, name, asserts, bailout, final, program);
  return [...asserts.map((r) => assertion(area, r, program)), ...(end === undefined ? [] : [end])];
}

/** A result for the program itself: a failure when it did not end cleanly, a skip when it skipped everything. */
function programEnd(area: string, name: string, asserts: Result[], bailout: string | undefined, final: FinalResults | undefined, program: CommandRecord): TestResult | undefined {
  const trouble = programTrouble(asserts, bailout, final, program);
  const test = { ids: [], title: `${name} ran to completion`, references: [] };
  if (trouble !== undefined) {
    const outcome: Outcome = { status: 'fail', expected: `${name} to run to its end with a complete TAP plan`, actual: trouble, commands: [withoutTap(program)] };
    return { area, test, edition: 'v1', outcome, ms: program.ms };
  }
  if (!final?.plan.skipAll) return undefined;
  const reason = final.plan.skipReason.replace(/^SKIP\s*/i, '') || 'skipped by the program';
  return { area, test, edition: 'v1', outcome: { status: 'skip', reason }, ms: program.ms };
}

function assertion(area: string, r: Result, program: CommandRecord): TestResult {
  const diag = (r.diag ?? {}) as Record<string, unknown>;
  const reference = diag.reference;
  const test = { ids: [], title: r.name || `assertion ${r.id}`, references: reference === undefined ? [] : [String(reference)] };
  return { area, test, edition: 'v1', outcome: outcomeOf(r, diag, program), ms: 0 };
}

function outcomeOf(r: Result, diag: Record<string, unknown>, program: CommandRecord): Outcome {
  if (r.skip !== false) return { status: 'skip', reason: r.skip === true ? 'skipped' : r.skip };
  if (r.todo !== false) return { status: 'skip', reason: `todo: ${r.todo === true ? r.name : r.todo}` };
  if (r.ok) return { status: 'pass' };
  const expected = text(diag.expected) ?? r.name;
  const actual = text(diag.actual) ?? text(diag.error) ?? text(diag.message) ?? 'not ok';
  return { status: 'fail', expected, actual, commands: [withoutTap(program)], ...(r.diag ? { probe: r.diag } : {}) };
}

/** Why the program itself did not end cleanly, or undefined. */
function programTrouble(asserts: Result[], bailout: string | undefined, final: FinalResults | undefined, c: CommandRecord): string | undefined {
  if (c.timedOut) return `timed out after ${c.ms} ms`;
  if (bailout !== undefined) return `bailed out: ${bailout || '(no reason)'}`;
  if (c.signal !== null) return `killed by ${c.signal}`;
  const plan = final?.plan;
  if (plan === undefined || (plan.end === null && !plan.skipAll)) return `no TAP plan (exit ${c.code}, ${asserts.length} assertions)`;
  const planned = plan.skipAll ? 0 : plan.end! - (plan.start ?? 1) + 1;
  if (asserts.length !== planned) return `${asserts.length} of ${planned} planned assertions reported (exit ${c.code})`;
  if (c.code !== 0 && !asserts.some((a) => !a.ok)) return `exit ${c.code} with every assertion passing`;
  return undefined;
}

/** The TAP is folded already; the evidence keeps stderr, where a Go program prints its panic. */
const withoutTap = (c: CommandRecord): CommandRecord => ({ ...c, stdout: '' });

const text = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
