// config.md "Valid values": runtimes MUST generate an error for unsupported values, so fields the
// spec defines and ocirt does not implement yet are refused by create and run, never silently
// ignored. They are ocirt's limits, not the bundle's faults: `ocirt validate` reports them as
// warnings (validate.ts). config.md "Extensibility": unknown properties MUST be ignored, so anything
// the spec does not define passes. A field that is absent, false, null or empty asks for nothing.
import { pointerOf, type Finding } from './findings.ts';

/** Where the spec defines each refused field, for the finding's reference. */
const SECTION = {
  hooks: ['config.md', 'POSIX-platform Hooks'],
} as const;

export const NOT_SUPPORTED = 'not supported by ocirt yet';

function asksForSomething(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

const NOT_YET = `${NOT_SUPPORTED}; remove it or leave it empty`;

function refusal(path: Array<string | number>, key: keyof typeof SECTION, message: string, fix: string): Finding {
  const [file, section] = SECTION[key];
  return { pointer: pointerOf(path), message, severity: 'error', reference: { file: `v1.3.0/${file}`, section }, fix };
}

/** Every spec field the config asks for that ocirt cannot do yet, as errors (create's view). */
export function unsupportedFindings(c: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  if (asksForSomething(c.hooks)) out.push(refusal(['hooks'], 'hooks', NOT_YET, 'remove it or leave it empty'));
  return out;
}
