// What every operation needs: the state store and where the CLI lives.
import { Store } from '../state/store.ts';

export interface Runtime {
  store: Store;
  root: string;
}

export function runtimeAt(root: string): Runtime {
  return { store: new Store(root), root };
}
