// The semantic checks: what the JSON Schema cannot express, each a small named function tied to the
// spec sentence it enforces (runc's validate style; STYLE.md). Each returns findings and never
// throws on the document: a node of the wrong type is skipped, since the schema reports shapes.
// Some look at the host, as create will meet it: root.path, namespace files, hook programs,
// libseccomp's syscall table.
import { messageOf } from '../../errors.ts';
import type { Edition } from '../edition.ts';
import type { Finding } from '../findings.ts';
import { hostnameNeedsUts, idmappedMounts, mountDestinations, rootPath, specVersion } from './config.ts';
import { hookPaths, hookTimeouts } from './hooks.ts';
import { deviceDuplicates, deviceEntries, maskedAndReadonlyPaths, sysctlNamespaces } from './linux.ts';
import {
  idMappingRanges, idMappingsNeedUserNamespace, namespaceDuplicates, namespacePaths, namespaceTypes, processIdsMapped, timeOffsets,
  userNamespaceMappings,
} from './namespaces.ts';
import { capabilityNames, capabilitySets, consoleSize, processCwd, processEnv, rlimitTypes, rlimitValues } from './process.ts';
import { seccompActions, seccompArchitectures, seccompSettings, seccompSyscalls } from './seccomp.ts';
import { obj, type Check } from './util.ts';

export type { Check, CheckContext } from './util.ts';

/** Every check, by name (the names survive minification, for the report of a check's own bug). */
export const CHECKS: Readonly<Record<string, Check>> = {
  // config.md
  specVersion,
  rootPath,
  hostnameNeedsUts,
  mountDestinations,
  idmappedMounts,
  processCwd,
  processEnv,
  consoleSize,
  rlimitTypes,
  rlimitValues,
  capabilityNames,
  capabilitySets,
  hookPaths,
  hookTimeouts,
  // config-linux.md
  namespaceTypes,
  namespaceDuplicates,
  namespacePaths,
  idMappingsNeedUserNamespace,
  userNamespaceMappings,
  idMappingRanges,
  processIdsMapped,
  timeOffsets,
  deviceEntries,
  deviceDuplicates,
  sysctlNamespaces,
  maskedAndReadonlyPaths,
  seccompActions,
  seccompArchitectures,
  seccompSyscalls,
  seccompSettings,
};

/** Runs every check on a parsed config.json; anything but a JSON object gives nothing to check. */
export function semanticFindings(config: unknown, ctx: { edition: Edition; bundleDir: string }): Finding[] {
  const c = obj(config);
  if (!c) return [];
  const out: Finding[] = [];
  for (const [name, check] of Object.entries(CHECKS)) {
    try {
      for (const f of check(c, ctx)) out.push(f);
    } catch (err) {
      // A check that throws is ocirt's bug: one finding, and the other checks still run.
      out.push({ pointer: '', message: `internal error in the ${name} check: ${messageOf(err)}`, severity: 'error', reference: { file: 'v1.3.0/config.md', section: 'Configuration' } });
    }
  }
  return out;
}
