// config.md "Annotations": a key-value map; keys MUST NOT be empty; values are strings (the schema).
// config.md "Valid values": an invalid value MUST be an error.
import { specError } from '../errors.ts';

export function checkAnnotations(annotations: unknown): void {
  if (annotations === undefined) return;
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
    throw specError('annotations: must be a map of strings to strings');
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (key === '') throw specError('annotations: a key MUST NOT be an empty string (config.md "Annotations")');
    if (typeof value !== 'string') throw specError(`annotations.${key}: the value must be a string`);
  }
}
