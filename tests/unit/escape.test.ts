import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../src/cli/escape.ts';

describe('escapeControls', () => {
  it('writes a newline and an escape sequence as \\n and \\x1b', () => {
    expect(escapeControls('a\n\x1b[31mb')).toBe('a\\n\\x1b[31mb');
  });

  it.each([
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\t', '\\t'],
    ['\0', '\\x00'],
    ['\x07', '\\x07'],
    ['\b', '\\x08'],
    ['\v', '\\x0b'],
    ['\f', '\\x0c'],
    ['\x1b', '\\x1b'],
    ['\x1f', '\\x1f'],
    ['\x7f', '\\x7f'],
    ['\x80', '\\x80'],
    ['\x85', '\\x85'], // NEL
    ['\x9b', '\\x9b'], // CSI
    ['\x9f', '\\x9f'],
    ['\u2028', '\\u2028'],
    ['\u2029', '\\u2029'],
  ])('escapes %j as %s', (raw, escaped) => {
    expect(escapeControls(raw)).toBe(escaped);
    expect(escapeControls(`x${raw}y`)).toBe(`x${escaped}y`);
  });

  it('leaves printable text alone: ASCII, a backslash, Latin-1 above C1, other Unicode, astral characters', () => {
    for (const s of ['linux.namespaces[2].type: namespace "pid" is given twice', 'C:\\dir\\n', '\u00a0é ü ÿ', '日本語 – “quotes” \u2027 \u202a', '😀 \u{10ffff}', '']) {
      expect(escapeControls(s)).toBe(s);
    }
  });

  it('keeps a JSON-quoted value as it reads: its escapes are not doubled', () => {
    const quoted = JSON.stringify('a\nb');
    expect(escapeControls(`hostname ${quoted}`)).toBe('hostname "a\\nb"');
  });

  it('makes any string one line with no control character left', () => {
    const all = Array.from({ length: 0x2100 }, (_, i) => String.fromCharCode(i)).join('');
    const out = escapeControls(all);
    // nothing from the escaped set survives, and no line break of any kind
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(out.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f]/)).toHaveLength(1);
  });

  it('escapes every code point of the set, and only those', () => {
    for (let cp = 0; cp < 0x2100; cp++) {
      const c = String.fromCharCode(cp);
      const inSet = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;
      expect(escapeControls(c) !== c, `U+${cp.toString(16).padStart(4, '0')}`).toBe(inSet);
    }
  });
});
