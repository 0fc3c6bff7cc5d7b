// A message the CLI prints or logs is one line (CONTRIBUTING.md "Errors"), whatever the config holds:
// a hostname, path or argument with a newline or an escape sequence ("a\n\x1b[31mb") would otherwise
// split the line an engine reads, forge a second log entry, or drive the terminal. Control characters
// become escapes here, at the one place messages leave ocirt (output.ts, log.ts).
//
// Escaped: C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F), and U+2028/U+2029, which JSON
// leaves raw but JavaScript and many log viewers take as line ends. A backslash is left as it is, so
// a value already quoted with JSON.stringify (`"a\nb"`) reads the same; the point is one line, not a
// reversible encoding.

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `\n`, `\r`, `\t`; other C0, DEL and C1 as `\xHH`; U+2028 and U+2029 as `\u2028`, `\u2029`. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => SHORT[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}
