// How findings read: one line each for `ocirt validate`, the one-line error of create and run, and
// the error that carries them to the CLI (which prints every finding with --debug and in the log).
// Small on purpose: the CLI's error reporting imports it on every call.
import { OciError } from '../errors.ts';
import { errorsIn, fieldOf, type Finding } from './findings.ts';

/** `error: /linux/namespaces/2/type: <message> (v1.3.0/config-linux.md "Namespaces"); fix: …` */
export function findingLine(f: Finding): string {
  const where = f.pointer === '' ? 'config.json' : f.pointer;
  const fix = f.fix ? `; fix: ${f.fix}` : '';
  return `${f.severity}: ${where}: ${f.message} (${f.reference.file} "${f.reference.section}")${fix}`;
}

/** The CLI's one-line error: `linux.namespaces[2].type: <message>`. */
export const oneLine = (f: Finding): string => `${fieldOf(f.pointer)}: ${f.message}`;

/** A config that create or run refuses: the first error is the message; every finding travels with it. */
export class InvalidConfig extends OciError {
  readonly findings: Finding[];
  constructor(findings: Finding[]) {
    const first = errorsIn(findings)[0] ?? findings[0];
    super('spec', first ? oneLine(first) : 'config.json: invalid');
    this.name = 'InvalidConfig';
    this.findings = findings;
  }
}

export const findingsOf = (err: unknown): Finding[] | undefined => (err instanceof InvalidConfig ? err.findings : undefined);
