// What validation says about a config: each finding names where (a JSON pointer, RFC 6901), what
// (one line), which spec sentence (file and section) and, where it is obvious, the fix.
// Schema checks (schema/) and semantic checks (checks/) both produce these; validate.ts joins them.

export type Severity = 'error' | 'warning'; // SHOULD-level findings are warnings

export interface SpecReference {
  file: string; // e.g. "v1.3.0/config-linux.md" or "draft/config.md"
  section: string; // the heading, e.g. "Namespaces"
}

export interface Finding {
  pointer: string; // "" for the whole document, "/linux/namespaces/2/type"
  message: string; // one line, lowercase start, no final period
  severity: Severity;
  reference: SpecReference;
  fix?: string;
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function pointerOf(path: Array<string | number>): string {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** "linux.namespaces[2].type" style, for the one-line CLI error (the pointer stays exact in JSON). */
export function fieldOf(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || 'config.json';
}

export const errorsIn = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
