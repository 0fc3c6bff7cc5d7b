// Where ocirt's own files are. Run from source (vitest under Node, `bun src/cli/main.ts`), they are
// in the source tree. A compiled bin/ocirt needs none of them: it carries the executor inside itself
// (linux/executor-image.ts) and is its own CLI, so a copied or installed binary runs anywhere. Its
// import.meta.url still names the build's source file, so the source tree is never looked for there.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const Bun: { main: string } | undefined;

/** True in a `bun build --compile` executable: its modules live in Bun's virtual /$bunfs/. */
export const isCompiled = (): boolean => typeof Bun !== 'undefined' && Bun.main.startsWith('/$bunfs/');

// A compiled binary has no source tree; its directory stands in for one.
const root = isCompiled() ? dirname(process.execPath) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const paths = {
  /** The source tree, when run from it. */
  root,
  /** The executor as `npm run build:native` leaves it: what `build:cli` embeds, and what source runs load. */
  executor: join(root, 'native/build/ocirt-executor'),
  probe: join(root, 'native/build/probe'),
  /** The CLI, as the autoremove watcher runs it: this very executable when compiled, else the build's. */
  ocirt: isCompiled() ? process.execPath : join(root, 'bin/ocirt'),
};
