// What every operation needs: the state store, where the CLI lives, and where warnings go
// (runtime.md "Warnings": logged, never fatal; the CLI's reportWarning decides where).
import { Store } from '../state/store.ts';
import { stateAnswers } from './query.ts';

export interface Runtime {
  store: Store;
  root: string;
  warn(message: string): void;
  /** What only --debug shows: notes on the config that change nothing the user asked for. */
  debug(message: string): void;
}

export function runtimeAt(root: string, warn: (message: string) => void, debug: (message: string) => void = () => {}): Runtime {
  return { store: new Store(root, stateAnswers), root, warn, debug };
}
