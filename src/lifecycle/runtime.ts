// What every operation needs: the state store, where the CLI lives, and where warnings go
// (runtime.md "Warnings": logged, never fatal).
import { writeSync } from 'node:fs';
import { Store } from '../state/store.ts';

export interface Runtime {
  store: Store;
  root: string;
  warn(message: string): void;
}

/** The CLI passes its own (src/cli/log.ts reportWarning); this default is for programs that embed the lifecycle. */
const toStderr = (message: string) => void writeSync(2, `ocirt: warning: ${JSON.stringify(message)}\n`);

export function runtimeAt(root: string, warn: (message: string) => void = toStderr): Runtime {
  return { store: new Store(root), root, warn };
}
