// A catalogue id → where its sentence is in the spec, as a GitHub-style anchor into the file under
// spec/ ("v1.3.0/runtime.md#query-state"): the `reference` runtime-tools' diagnostics carry.
import { entryById } from '../catalogue/index.ts';
import type { ReferenceOf } from './common.ts';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes. */
export const anchor = (title: string) => title.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');

export const catalogueReference: ReferenceOf = (id) => {
  const e = entryById(id);
  return e === undefined ? undefined : `${e.file}#${anchor(e.section)}`;
};
