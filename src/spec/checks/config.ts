// Checks of config.md's common fields: the specification version, root, hostname and domainname,
// mounts.
import { resolve } from 'node:path';
import { editionOf } from '../edition.ts';
import { addNamespace, arr, entries, fileKind, Findings, isAbsolutePath, isJoined, namespaceEntries, namespaceOf, obj, q, str, type Check } from './util.ts';

/** The newest v1 minor ocirt implements (v1.3.0). */
const NEWEST_V1_MINOR = 3;

/**
 * config.md "Specification version": ociVersion MUST be SemVer 2.0.0; ocirt knows the draft (below
 * 1.0.0) and 1.x. A 1.x newer than 1.3.0 may use fields ocirt does not know, and ignores.
 */
export const specVersion: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const e = editionOf(c.ociVersion);
  if (!e.ok) {
    out.error(['ociVersion'], 'version', e.message, e.fix);
  } else if (e.edition === 'v1' && typeof c.ociVersion === 'string') {
    const minor = Number(c.ociVersion.split('.')[1]);
    if (minor > NEWEST_V1_MINOR) {
      out.warning(['ociVersion'], 'version', `${q(c.ociVersion)} is newer than 1.3.0, the newest edition ocirt knows: fields added since are ignored`, 'use "1.3.0" unless the config needs something newer');
    }
  }
  return out.list;
};

/** config.md "Root": "A directory MUST exist at the path declared by the field" (relative to the bundle). */
export const rootPath: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const path = str(obj(c.root)?.path);
  if (path === undefined || path === '') return out.list; // the schema reports a missing or empty path
  const abs = isAbsolutePath(path) ? path : resolve(ctx.bundleDir, path);
  const kind = fileKind(abs);
  const fix = 'make the root filesystem a directory there, or point root.path at one';
  if (kind === 'missing') out.error(['root', 'path'], 'root', `${abs} does not exist`, fix);
  else if (typeof kind === 'object') out.error(['root', 'path'], 'root', `cannot look at ${abs}: ${kind.error}`);
  else if (kind !== 'directory') out.error(['root', 'path'], 'root', `${abs} is not a directory`, fix);
  return out.list;
};

/**
 * config.md "Hostname" and "Domainname". The draft: "On Linux, you can only set this if your bundle
 * creates a new UTS namespace" (an error). v1.3.0 allows the container to share the runtime's UTS
 * namespace, where setting the name changes the host's: a warning.
 */
export const hostnameNeedsUts: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  const uts = namespaceOf(c, 'uts');
  for (const field of ['hostname', 'domainname'] as const) {
    const value = str(c[field]);
    if (!value) continue; // absent or empty asks for nothing
    if (ctx.edition === 'draft') {
      if (field === 'hostname' && (!uts || isJoined(uts))) out.error([field], 'hostname', 'setting it needs a new uts namespace', addNamespace('uts'));
    } else if (!uts) {
      out.warning([field], field, "the container shares the runtime's uts namespace: setting it changes the host's", addNamespace('uts'));
    }
  }
  return out.list;
};

/** config.md "Mounts" (Linux): destination SHOULD be absolute; a relative one is deprecated and taken relative to "/". */
export const mountDestinations: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  if (ctx.edition !== 'v1') return out.list; // the draft says nothing of it
  for (const [i, m] of entries(c, 'mounts')) {
    const dest = str(obj(m)?.destination);
    if (dest && !isAbsolutePath(dest)) {
      out.warning(['mounts', i, 'destination'], 'mounts', 'a relative path is deprecated: it is taken as relative to "/"', `use "/${dest}"`);
    }
  }
  return out.list;
};

const nonEmpty = (v: unknown) => arr(v).length > 0;

/**
 * config.md "POSIX-platform Mounts" and "Linux mount options" (v1.3.0): a mount's uidMappings MUST
 * come with gidMappings and the other way round; `idmap`/`ridmap` without mount mappings and without
 * a user namespace MUST be an error; mappings SHOULD come with `idmap` or `ridmap`.
 */
export const idmappedMounts: Check = (c, ctx) => {
  const out = new Findings(ctx.edition);
  if (ctx.edition !== 'v1') return out.list;
  const userns = namespaceEntries(c).some((n) => n.type === 'user');
  for (const [i, v] of entries(c, 'mounts')) {
    const m = obj(v);
    if (!m) continue;
    const uid = nonEmpty(m.uidMappings);
    const gid = nonEmpty(m.gidMappings);
    if (uid && !gid) out.error(['mounts', i, 'uidMappings'], 'posixMounts', 'given without gidMappings', 'give the mount both uidMappings and gidMappings');
    if (gid && !uid) out.error(['mounts', i, 'gidMappings'], 'posixMounts', 'given without uidMappings', 'give the mount both uidMappings and gidMappings');
    const options = entries(m, 'options');
    const idmap = options.filter(([, o]) => o === 'idmap' || o === 'ridmap');
    if ((uid || gid) && idmap.length === 0) {
      out.warning(['mounts', i], 'posixMounts', 'has id mappings but neither "idmap" nor "ridmap" in its options', 'add "idmap" to options ("ridmap" to apply it recursively to an rbind)');
    }
    if (!uid && !gid && !userns) {
      for (const [j, o] of idmap) {
        out.error(['mounts', i, 'options', j], 'mountOptions', `${q(o)} needs uidMappings and gidMappings on the mount, or a user namespace`, 'give the mount uidMappings and gidMappings');
      }
    }
  }
  return out.list;
};
