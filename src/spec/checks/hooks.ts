// Checks of config.md "POSIX-platform Hooks" (v1.3.0) and "Hooks" (the draft).
import { accessSync, constants } from 'node:fs';
import { entries, fileKind, Findings, int, isAbsolutePath, obj, objAt, str, type Check } from './util.ts';

/** Each edition's hook lists, and whether a hook's path resolves in the runtime namespace (the host). */
export const HOOKS = {
  v1: { prestart: true, createRuntime: true, createContainer: true, startContainer: false, poststart: true, poststop: true },
  draft: { prestart: true, poststart: true, poststop: true },
} as const;

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * v1.3.0: "path MUST be absolute" and "MUST resolve in the runtime namespace" (startContainer's
 * resolves in the container, after its mounts: only its form is checked). The draft: "Hook paths are
 * absolute and are executed from the host's filesystem". A path that is not an executable file
 * cannot be executed.
 */
export const hookPaths: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const hooks = objAt(c, 'hooks');
  for (const [kind, onHost] of Object.entries(HOOKS[ctx.edition])) {
    for (const [i, h] of entries(hooks, kind)) {
      const path = str(obj(h)?.path);
      if (path === undefined || path === '') continue; // the schema reports a missing or empty path
      const at = ['hooks', kind, i, 'path'];
      if (!isAbsolutePath(path)) {
        out.error(at, 'hooks', 'must be an absolute path', 'give the absolute path of the hook program');
        continue;
      }
      if (!onHost) continue;
      const fileType = fileKind(path);
      if (fileType === 'missing') out.error(at, 'hooks', `${path} does not exist`);
      else if (typeof fileType === 'object') out.error(at, 'hooks', `cannot look at ${path}: ${fileType.error}`);
      else if (fileType !== 'file') out.error(at, 'hooks', `${path} is not a regular file`);
      else if (!executable(path)) out.error(at, 'hooks', `${path} is not executable`, `chmod +x ${path}`);
    }
  }
  return out.list;
};

/** v1.3.0: "If set, timeout MUST be greater than zero." */
export const hookTimeouts: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  if (ctx.edition !== 'v1') return out.list;
  const hooks = objAt(c, 'hooks');
  for (const kind of Object.keys(HOOKS.v1)) {
    for (const [i, h] of entries(hooks, kind)) {
      const timeout = int(obj(h)?.timeout);
      if (timeout !== undefined && timeout <= 0) {
        out.error(['hooks', kind, i, 'timeout'], 'hooks', 'must be greater than zero', 'give a number of seconds above 0, or remove it for no timeout');
      }
    }
  }
  return out.list;
};
