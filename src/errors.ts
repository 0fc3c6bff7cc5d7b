// Errors are values with a code and a cause chain until the CLI prints them (STYLE.md "Errors").
// The CLI prints `message` as one line; `--debug` and the JSON log add the chain.

export type ErrorCode =
  | 'usage' // bad command line
  | 'spec' // the config breaks the spec or asks for something unsupported
  | 'state' // the operation is not allowed in the container's current state
  | 'not-found' // no such container
  | 'exists' // the id is taken
  | 'syscall' // a host syscall failed
  | 'init-step' // a step of the executor's plan failed
  | 'hook'
  | 'cgroup'
  | 'internal';

export class OciError extends Error {
  readonly code: ErrorCode;
  override readonly cause: unknown;
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(message);
    this.name = 'OciError';
    this.code = code;
    this.cause = cause;
  }
}

export const usageError = (msg: string, cause?: unknown) => new OciError('usage', msg, cause);
export const specError = (msg: string, cause?: unknown) => new OciError('spec', msg, cause);
export const stateError = (msg: string, cause?: unknown) => new OciError('state', msg, cause);
export const notFound = (id: string) => new OciError('not-found', `container "${id}" does not exist`);

/** Wraps an unknown thrown value with context, keeping it as the cause. */
export function wrap(code: ErrorCode, context: string, cause: unknown): OciError {
  return new OciError(code, `${context}: ${messageOf(cause)}`, cause);
}

/** The first line of an error for a user: lowercase, no stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Every message in the cause chain, outermost first. */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    out.push(cur instanceof Error ? `${cur.name}: ${cur.message}` : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

/** Runs every cleanup even when some fail; returns the failures so callers keep both errors. */
export function cleanupAll(steps: Array<() => void>): unknown[] {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      step();
    } catch (err) {
      failures.push(err);
    }
  }
  return failures;
}
