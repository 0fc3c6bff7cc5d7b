// config.md "Valid values": runtimes MUST generate an error for unsupported values, so a field the
// spec defines and ocirt does not implement yet is refused by create and run, never silently
// ignored; `ocirt validate` reports it as a warning (validate.ts), since it is ocirt's limit, not the
// bundle's fault. config.md "Extensibility": unknown properties MUST be ignored.
//
// Every field of both editions is implemented today (hooks and process.terminal were the last), so
// nothing is refused here; a field ocirt cannot do yet gets its refusal in this list.
import type { Finding } from './findings.ts';

export const NOT_SUPPORTED = 'not supported by ocirt yet';

/** Every spec field the config asks for that ocirt cannot do yet, as errors (create's view). */
export function unsupportedFindings(_c: Record<string, unknown>): Finding[] {
  return [];
}
