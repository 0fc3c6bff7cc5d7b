// What every operation needs: the state store, where the CLI lives, and where warnings go
// (runtime.md "Warnings": logged, never fatal).
import { writeSync } from 'node:fs';
import { Store } from '../state/store.ts';

export interface Runtime {
  store: Store;
  root: string;
  warn(message: string): void;
}

const toStderr = (message: string) => void writeSync(2, `ocirt: warning: ${message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}\n`);

export function runtimeAt(root: string, warn: (message: string) => void = toStderr): Runtime {
  return { store: new Store(root), root, warn };
}
