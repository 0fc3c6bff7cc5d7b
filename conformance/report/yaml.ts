// Just enough YAML for TAP diagnostics: maps, lists, numbers, booleans, null and strings. Strings
// are double-quoted JSON (valid YAML, no surprises with "no", "1.0" or ": "), or a literal block
// when they span lines, so stderr reads as it was printed.

export function toYaml(value: unknown, indent = 0): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) return value.length === 0 ? [`${pad}[]`] : value.flatMap((v) => item(v, indent));
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? [`${pad}{}`] : entries.flatMap(([k, v]) => entry(k, v, indent));
  }
  return [`${pad}${scalar(value, indent)}`];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
const key = (k: string) => (/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k));

/** A short list of scalars (an argv) reads best on one line: a JSON array is a YAML flow sequence. */
const FLOW_MAX = 160;
const flowable = (v: unknown) => Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x)) && JSON.stringify(v).length <= FLOW_MAX;

function entry(k: string, v: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (flowable(v)) return [`${pad}${key(k)}: ${JSON.stringify(v)}`];
  if ((Array.isArray(v) || isMap(v)) && !isEmpty(v)) return [`${pad}${key(k)}:`, ...toYaml(v, indent + 2)];
  return [`${pad}${key(k)}: ${isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v, indent + 2)}`];
}

/** "- " then the value; a map's first key shares the dash's line. */
function item(v: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if ((Array.isArray(v) || isMap(v)) && !isEmpty(v)) {
    const [first, ...rest] = toYaml(v, indent + 2);
    return [`${pad}- ${first!.trimStart()}`, ...rest];
  }
  return [`${pad}- ${isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v, indent + 2)}`];
}

function scalar(v: unknown, indent: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return blockable(s) ? `|-\n${s.split('\n').map((l) => ' '.repeat(indent) + l).join('\n')}` : JSON.stringify(s);
}

/**
 * A literal block keeps text as is, but only text without leading spaces, trailing whitespace,
 * blank lines (a TAP parser may end the diagnostics there) or control characters.
 */
const blockable = (s: string) =>
  s.includes('\n') && !/^\s/.test(s) && !/\s$/.test(s) && !/\n\s*\n/.test(s) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s);
