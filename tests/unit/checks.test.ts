// The semantic checks (src/spec/checks/): each check's cases with the exact pointer and message,
// the sample bundles clean, and garbage in any position never throwing. Runs under Node (koffi for
// libseccomp); no root needed.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seccompNames } from '../../src/linux/seccomp-names.ts';
import { CHECKS, semanticFindings, type Check } from '../../src/spec/checks/index.ts';
import { namespaceFile } from '../../src/spec/checks/namespaces.ts';
import { sysctlNamespace } from '../../src/spec/checks/linux.ts';
import type { Edition } from '../../src/spec/edition.ts';
import type { Finding } from '../../src/spec/findings.ts';

type Json = any;

let bundle: string;
let hookOk: string;
let hookNoExec: string;

beforeAll(() => {
  bundle = mkdtempSync(join(tmpdir(), 'ocirt-checks-'));
  mkdirSync(join(bundle, 'rootfs'));
  writeFileSync(join(bundle, 'a-file'), '');
  hookOk = join(bundle, 'hook');
  writeFileSync(hookOk, '#!/bin/sh\n');
  chmodSync(hookOk, 0o755);
  hookNoExec = join(bundle, 'hook-noexec');
  writeFileSync(hookNoExec, '#!/bin/sh\n');
  chmodSync(hookNoExec, 0o644);
});
afterAll(() => rmSync(bundle, { recursive: true, force: true }));

const v1 = (): Json => ({
  ociVersion: '1.3.0',
  root: { path: 'rootfs' },
  process: { user: { uid: 0, gid: 0 }, args: ['/x'], cwd: '/' },
  linux: { namespaces: [{ type: 'mount' }] },
});
const draft = (): Json => ({ ...v1(), ociVersion: '0.6.0-dev', platform: { os: 'linux', arch: 'amd64' } });

/** `severity pointer: message` of each finding, in order. */
const lines = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.pointer}: ${f.message}`);
const run = (check: Check, c: Json, edition: Edition = 'v1') => check(c, { edition, bundleDir: bundle });
const says = (check: Check, c: Json, edition: Edition = 'v1') => lines(run(check, c, edition));
const with_ = (base: Json, edit: (c: Json) => void): Json => {
  edit(base);
  return base;
};

describe('config.md "Specification version" (specVersion)', () => {
  const { specVersion } = CHECKS;
  it('passes 1.x and the draft versions', () => {
    for (const v of ['1.0.0', '1.3.0', '1.2.1+dev', '0.6.0-dev', '0.5.0', '1.0.0-rc5']) expect(says(specVersion!, { ociVersion: v })).toEqual([]);
  });
  it('refuses a version that is not SemVer, missing, or of an unknown edition', () => {
    expect(says(specVersion!, { ociVersion: 'v1.0' })).toEqual(['error /ociVersion: "v1.0" is not SemVer 2.0.0']);
    expect(says(specVersion!, {})).toEqual(['error /ociVersion: required: the spec version the bundle is written for']);
    expect(says(specVersion!, { ociVersion: 2 })).toEqual(['error /ociVersion: must be a string, not number']);
    expect(says(specVersion!, { ociVersion: '2.0.0' })).toEqual(['error /ociVersion: "2.0.0" is newer than any edition ocirt knows (the draft, 1.x)']);
  });
  it('warns of a 1.x newer than 1.3.0', () => {
    const [f] = run(specVersion!, { ociVersion: '1.4.0' });
    expect(f).toEqual({
      pointer: '/ociVersion',
      message: '"1.4.0" is newer than 1.3.0, the newest edition ocirt knows: fields added since are ignored',
      severity: 'warning',
      reference: { file: 'v1.3.0/config.md', section: 'Specification version' },
      fix: 'use "1.3.0" unless the config needs something newer',
    });
  });
});

describe('config.md "Root" (rootPath)', () => {
  const { rootPath } = CHECKS;
  it('passes a directory relative to the bundle, and an absolute one', () => {
    expect(says(rootPath!, v1())).toEqual([]);
    expect(says(rootPath!, with_(v1(), (c) => (c.root.path = join(bundle, 'rootfs'))))).toEqual([]);
  });
  it('refuses a path where no directory exists', () => {
    const [f] = run(rootPath!, with_(v1(), (c) => (c.root.path = 'missing')));
    expect(f).toEqual({
      pointer: '/root/path',
      message: `${join(bundle, 'missing')} does not exist`,
      severity: 'error',
      reference: { file: 'v1.3.0/config.md', section: 'Root' },
      fix: 'make the root filesystem a directory there, or point root.path at one',
    });
    expect(says(rootPath!, with_(v1(), (c) => (c.root.path = 'a-file/below')))).toEqual([`error /root/path: ${join(bundle, 'a-file/below')} does not exist`]);
  });
  it('refuses a path that is not a directory, citing the draft for a draft bundle', () => {
    const [f] = run(rootPath!, with_(draft(), (c) => (c.root.path = 'a-file')), 'draft');
    expect(f).toMatchObject({ message: `${join(bundle, 'a-file')} is not a directory`, reference: { file: 'draft/config.md', section: 'Root Configuration' } });
  });
});

describe('config.md "Hostname" and "Domainname" (hostnameNeedsUts)', () => {
  const { hostnameNeedsUts } = CHECKS;
  it('v1.3.0: warns that a name set without a uts namespace is the host\'s', () => {
    const c = with_(v1(), (c) => Object.assign(c, { hostname: 'h', domainname: 'd' }));
    expect(says(hostnameNeedsUts!, c)).toEqual([
      "warning /hostname: the container shares the runtime's uts namespace: setting it changes the host's",
      "warning /domainname: the container shares the runtime's uts namespace: setting it changes the host's",
    ]);
    expect(run(hostnameNeedsUts!, c)[1]!.reference).toEqual({ file: 'v1.3.0/config.md', section: 'Domainname' });
    c.linux.namespaces.push({ type: 'uts' });
    expect(says(hostnameNeedsUts!, c)).toEqual([]);
    c.linux.namespaces[1].path = '/proc/self/ns/uts';
    expect(says(hostnameNeedsUts!, c)).toEqual([]);
  });
  it('the draft: "you can only set this if your bundle creates a new UTS namespace"', () => {
    const c = with_(draft(), (c) => Object.assign(c, { hostname: 'h', domainname: 'd' }));
    expect(says(hostnameNeedsUts!, c, 'draft')).toEqual(['error /hostname: setting it needs a new uts namespace']);
    c.linux.namespaces.push({ type: 'uts', path: '/proc/self/ns/uts' });
    expect(says(hostnameNeedsUts!, c, 'draft')).toEqual(['error /hostname: setting it needs a new uts namespace']);
    delete c.linux.namespaces[1].path;
    expect(says(hostnameNeedsUts!, c, 'draft')).toEqual([]);
  });
  it('an empty name asks for nothing', () => {
    expect(says(hostnameNeedsUts!, with_(v1(), (c) => (c.hostname = '')))).toEqual([]);
  });
});

describe('config.md "Mounts" (mountDestinations, idmappedMounts)', () => {
  const { mountDestinations, idmappedMounts } = CHECKS;
  const map = [{ containerID: 0, hostID: 1000, size: 1 }];
  it('v1.3.0: a relative destination is deprecated (SHOULD be absolute)', () => {
    const c = with_(v1(), (c) => (c.mounts = [{ destination: '/proc', type: 'proc' }, { destination: 'data', type: 'tmpfs' }]));
    const [f] = run(mountDestinations!, c);
    expect(f).toEqual({
      pointer: '/mounts/1/destination',
      message: 'a relative path is deprecated: it is taken as relative to "/"',
      severity: 'warning',
      reference: { file: 'v1.3.0/config.md', section: 'Mounts' },
      fix: 'use "/data"',
    });
    expect(says(mountDestinations!, c, 'draft')).toEqual([]);
  });
  it('uidMappings MUST come with gidMappings, and the other way round', () => {
    const c = with_(v1(), (c) => (c.mounts = [{ destination: '/a', options: ['idmap'], uidMappings: map }, { destination: '/b', options: ['ridmap'], gidMappings: map }]));
    expect(says(idmappedMounts!, c)).toEqual(['error /mounts/0/uidMappings: given without gidMappings', 'error /mounts/1/gidMappings: given without uidMappings']);
  });
  it('idmap without mount mappings MUST be an error unless the container has a user namespace', () => {
    const c = with_(v1(), (c) => (c.mounts = [{ destination: '/a', options: ['rbind', 'idmap'] }]));
    const [f] = run(idmappedMounts!, c);
    expect(f).toMatchObject({ pointer: '/mounts/0/options/1', message: '"idmap" needs uidMappings and gidMappings on the mount, or a user namespace', reference: { section: 'Linux mount options' } });
    c.linux.namespaces.push({ type: 'user' });
    expect(says(idmappedMounts!, c)).toEqual([]);
  });
  it('mappings SHOULD come with idmap or ridmap', () => {
    const c = with_(v1(), (c) => (c.mounts = [{ destination: '/a', uidMappings: map, gidMappings: map }]));
    expect(says(idmappedMounts!, c)).toEqual(['warning /mounts/0: has id mappings but neither "idmap" nor "ridmap" in its options']);
    c.mounts[0].options = ['ridmap'];
    expect(says(idmappedMounts!, c)).toEqual([]);
  });
});

describe('config.md "Process" (processCwd, processEnv, consoleSize)', () => {
  const { processCwd, processEnv, consoleSize } = CHECKS;
  it('cwd MUST be absolute, in both editions', () => {
    const c = with_(v1(), (c) => (c.process.cwd = 'srv'));
    expect(run(processCwd!, c)).toEqual([
      { pointer: '/process/cwd', message: 'must be an absolute path', severity: 'error', reference: { file: 'v1.3.0/config.md', section: 'Process' }, fix: 'use "/srv"' },
    ]);
    expect(run(processCwd!, c, 'draft')[0]!.reference).toEqual({ file: 'draft/config.md', section: 'Process configuration' });
    expect(says(processCwd!, v1())).toEqual([]);
  });
  it('env entries are KEY=value', () => {
    const c = with_(v1(), (c) => (c.process.env = ['PATH=/bin', 'EMPTY=', 'NOEQUALS', '=value', 3]));
    expect(says(processEnv!, c)).toEqual(['warning /process/env/2: "NOEQUALS" is not of the form KEY=value', 'warning /process/env/3: "=value" is not of the form KEY=value']);
  });
  it('consoleSize without a terminal is ignored (v1.3.0)', () => {
    const c = with_(v1(), (c) => (c.process.consoleSize = { height: 24, width: 80 }));
    expect(says(consoleSize!, c)).toEqual(['warning /process/consoleSize: ignored: process.terminal is not true']);
    c.process.terminal = true;
    expect(says(consoleSize!, c)).toEqual([]);
  });
});

describe('config.md "POSIX process" (rlimitTypes, rlimitValues)', () => {
  const { rlimitTypes, rlimitValues } = CHECKS;
  const rl = (type: unknown, soft = 1, hard = 1) => ({ type, soft, hard });
  it('a type Linux does not have MUST be an error, with the spelling it was likely meant to have', () => {
    const c = with_(v1(), (c) => (c.process.rlimits = [rl('RLIMIT_NOFILE'), rl('RLIMIT_FOO'), rl('nofile'), rl(7)]));
    const fs = run(rlimitTypes!, c);
    expect(lines(fs)).toEqual(['error /process/rlimits/1/type: "RLIMIT_FOO" is not a Linux resource limit', 'error /process/rlimits/2/type: "nofile" is not a Linux resource limit']);
    expect(fs.map((f) => f.fix)).toEqual(['use a resource from getrlimit(2), e.g. "RLIMIT_NOFILE"', 'use "RLIMIT_NOFILE"']);
    expect(fs[0]!.reference).toEqual({ file: 'v1.3.0/config.md', section: 'POSIX process' });
  });
  it('a duplicated type MUST be an error in v1.3.0; a warning in the draft', () => {
    const c = with_(v1(), (c) => (c.process.rlimits = [rl('RLIMIT_CORE'), rl('RLIMIT_NOFILE'), rl('RLIMIT_CORE')]));
    const [f] = run(rlimitTypes!, c);
    expect(f).toMatchObject({ pointer: '/process/rlimits/2/type', message: '"RLIMIT_CORE" is given twice', severity: 'error', fix: 'keep one entry for it (the other is process.rlimits[0])' });
    expect(says(rlimitTypes!, c, 'draft')).toEqual(['warning /process/rlimits/2/type: "RLIMIT_CORE" is given twice']);
  });
  it('soft above hard cannot be set', () => {
    const c = with_(v1(), (c) => (c.process.rlimits = [rl('RLIMIT_NOFILE', 2048, 1024), rl('RLIMIT_CORE', 0, 0)]));
    expect(says(rlimitValues!, c)).toEqual(['error /process/rlimits/0/soft: 2048 is above the hard limit 1024']);
  });
});

describe('config.md "Linux Process" (capabilityNames, capabilitySets)', () => {
  const { capabilityNames, capabilitySets } = CHECKS;
  it('v1.3.0: an unknown name MUST be logged as a warning, not fail', () => {
    const c = with_(v1(), (c) => (c.process.capabilities = { bounding: ['CAP_CHOWN', 'CAP_CHECKPOINT_RESTORE', 'chown'], ambient: ['CAP_NOPE'] }));
    const fs = run(capabilityNames!, c);
    expect(lines(fs)).toEqual(['warning /process/capabilities/bounding/2: "chown" is not a Linux capability', 'warning /process/capabilities/ambient/0: "CAP_NOPE" is not a Linux capability']);
    expect(fs.map((f) => f.fix)).toEqual(['use "CAP_CHOWN"', 'use a name from capabilities(7), e.g. "CAP_CHOWN"']);
  });
  it('the draft (an array of names): an unknown name is an error', () => {
    const c = with_(draft(), (c) => (c.process.capabilities = ['CAP_KILL', 'CAP_SYS_ADMINN']));
    const [f] = run(capabilityNames!, c, 'draft');
    expect(f).toMatchObject({ pointer: '/process/capabilities/1', message: '"CAP_SYS_ADMINN" is not a Linux capability', severity: 'error', reference: { file: 'draft/config.md', section: 'Process configuration' } });
  });
  it('warns of an effective capability not permitted, and an ambient one not permitted and inheritable', () => {
    const c = with_(v1(), (c) => (c.process.capabilities = { effective: ['CAP_KILL', 'CAP_CHOWN'], permitted: ['CAP_KILL', 'CAP_NET_RAW'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL', 'CAP_NET_RAW'] }));
    expect(says(capabilitySets!, c)).toEqual([
      'warning /process/capabilities/effective/1: "CAP_CHOWN" is effective but not permitted: the kernel cannot grant it',
      'warning /process/capabilities/ambient/1: "CAP_NET_RAW" is ambient but not both permitted and inheritable: the kernel cannot raise it',
    ]);
    expect(says(capabilitySets!, c, 'draft')).toEqual([]);
  });
});

describe('config.md "POSIX-platform Hooks" (hookPaths, hookTimeouts)', () => {
  const { hookPaths, hookTimeouts } = CHECKS;
  it('passes an absolute path to an executable file', () => {
    expect(says(hookPaths!, with_(v1(), (c) => (c.hooks = { createRuntime: [{ path: hookOk }], poststop: [{ path: hookOk, timeout: 5 }] })))).toEqual([]);
  });
  it('refuses a relative path, and one that is not an executable file in the runtime namespace', () => {
    const c = with_(v1(), (c) => (c.hooks = {
      prestart: [{ path: 'bin/hook' }, { path: join(bundle, 'nope') }],
      createContainer: [{ path: bundle }, { path: hookNoExec }],
      startContainer: [{ path: '/only/in/the/container' }, { path: 'relative' }],
    }));
    const fs = run(hookPaths!, c);
    expect(lines(fs)).toEqual([
      'error /hooks/prestart/0/path: must be an absolute path',
      `error /hooks/prestart/1/path: ${join(bundle, 'nope')} does not exist`,
      `error /hooks/createContainer/0/path: ${bundle} is not a regular file`,
      `error /hooks/createContainer/1/path: ${hookNoExec} is not executable`,
      'error /hooks/startContainer/1/path: must be an absolute path',
    ]);
    expect(fs[0]!.reference).toEqual({ file: 'v1.3.0/config.md', section: 'POSIX-platform Hooks' });
    expect(fs[3]!.fix).toBe(`chmod +x ${hookNoExec}`);
  });
  it('the draft: hook paths are absolute, on the host', () => {
    const c = with_(draft(), (c) => (c.hooks = { prestart: [{ path: 'hook' }], poststart: [{ path: hookNoExec }], createRuntime: [{ path: 'ignored: not a draft hook' }] }));
    const fs = run(hookPaths!, c, 'draft');
    expect(lines(fs)).toEqual(['error /hooks/prestart/0/path: must be an absolute path', `error /hooks/poststart/0/path: ${hookNoExec} is not executable`]);
    expect(fs[0]!.reference).toEqual({ file: 'draft/config.md', section: 'Hooks' });
  });
  it('timeout MUST be greater than zero (v1.3.0)', () => {
    const c = with_(v1(), (c) => (c.hooks = { poststart: [{ path: hookOk, timeout: 0 }, { path: hookOk, timeout: -3 }, { path: hookOk, timeout: 1 }] }));
    expect(says(hookTimeouts!, c)).toEqual(['error /hooks/poststart/0/timeout: must be greater than zero', 'error /hooks/poststart/1/timeout: must be greater than zero']);
    expect(says(hookTimeouts!, c, 'draft')).toEqual([]);
  });
});

describe('config-linux.md "Namespaces" (namespaceTypes, namespaceDuplicates, namespacePaths)', () => {
  const { namespaceTypes, namespaceDuplicates, namespacePaths } = CHECKS;
  const ns = (...list: Json[]) => with_(v1(), (c) => (c.linux.namespaces = list));
  it('knows each edition\'s types', () => {
    const c = ns({ type: 'pid' }, { type: 'cgroup' }, { type: 'time' }, { type: 'net' });
    expect(says(namespaceTypes!, c)).toEqual(['error /linux/namespaces/3/type: unknown namespace type "net"']);
    expect(run(namespaceTypes!, c)[0]!.fix).toBe('use one of pid, network, mount, ipc, uts, user, cgroup, time');
    expect(says(namespaceTypes!, c, 'draft')).toEqual([
      'error /linux/namespaces/1/type: unknown namespace type "cgroup"',
      'error /linux/namespaces/2/type: unknown namespace type "time"',
      'error /linux/namespaces/3/type: unknown namespace type "net"',
    ]);
  });
  it('a type given twice MUST be an error', () => {
    const c = ns({ type: 'pid' }, { type: 'mount' }, { type: 'pid', path: '/proc/self/ns/pid' });
    expect(run(namespaceDuplicates!, c)).toEqual([
      {
        pointer: '/linux/namespaces/2/type',
        message: 'namespace "pid" is given twice',
        severity: 'error',
        reference: { file: 'v1.3.0/config-linux.md', section: 'Namespaces' },
        fix: 'keep one entry for it (the other is linux.namespaces[0])',
      },
    ]);
  });
  it('path MUST be absolute (v1.3.0); the draft warns', () => {
    const c = ns({ type: 'network', path: 'netns/a' }, { type: 'ipc', path: '' });
    expect(says(namespacePaths!, c)).toEqual(['error /linux/namespaces/0/path: must be an absolute path', 'error /linux/namespaces/1/path: must be an absolute path']);
    expect(says(namespacePaths!, c, 'draft')).toEqual([
      "warning /linux/namespaces/0/path: should be an absolute path: a relative one depends on the runtime's working directory",
      "warning /linux/namespaces/1/path: should be an absolute path: a relative one depends on the runtime's working directory",
    ]);
  });
  it('passes a path that is a namespace of its type', () => {
    const c = ns({ type: 'network', path: '/proc/self/ns/net' }, { type: 'mount', path: '/proc/self/ns/mnt' }, { type: 'pid', path: '/proc/self/ns/pid_for_children' }, { type: 'user', path: '/proc/self/ns/user' });
    expect(says(namespacePaths!, c)).toEqual([]);
  });
  it('MUST be an error when the path is not associated with a namespace of its type', () => {
    const c = ns({ type: 'network', path: '/proc/self/ns/ipc' }, { type: 'uts', path: join(bundle, 'a-file') }, { type: 'pid', path: join(bundle, 'gone') }, { type: 'ipc', path: '/dev/null' });
    const link = readlinkOf('/proc/self/ns/ipc');
    const fs = run(namespacePaths!, c);
    expect(lines(fs)).toEqual([
      `error /linux/namespaces/0/path: /proc/self/ns/ipc is a namespace of type ipc (${link}), not network`,
      `error /linux/namespaces/1/path: ${join(bundle, 'a-file')} is not a namespace file`,
      `error /linux/namespaces/2/path: ${join(bundle, 'gone')} does not exist`,
      'error /linux/namespaces/3/path: /dev/null is not a namespace file',
    ]);
    expect(fs[0]!.fix).toBe('give the path of a network namespace, e.g. /proc/<pid>/ns/net');
  });
  it('namespaceFile reads the nsfs name through the open file, as for a bind mount of one', () => {
    expect(namespaceFile('/proc/self/ns/net')).toEqual({ kind: 'namespace', nsfs: 'net', link: readlinkOf('/proc/self/ns/net') });
    expect(namespaceFile('/proc')).toEqual({ kind: 'other' });
    expect(namespaceFile('/nonexistent/x')).toEqual({ kind: 'missing' });
    expect(namespaceFile('/bad\0path')).toMatchObject({ kind: 'error' });
  });
});

const readlinkOf = (path: string) => readlinkSync(path);

describe('config-linux.md "User namespace mappings"', () => {
  const { idMappingsNeedUserNamespace, userNamespaceMappings, idMappingRanges, processIdsMapped } = CHECKS;
  const map = (containerID: number, hostID: number, size: number) => ({ containerID, hostID, size });
  const userns = (path?: string): Json => with_(v1(), (c) => {
    c.linux.namespaces.push(path === undefined ? { type: 'user' } : { type: 'user', path });
    c.linux.uidMappings = [map(0, 100000, 65536)];
    c.linux.gidMappings = [map(0, 100000, 65536)];
  });
  it('mappings without a user namespace cannot be honoured', () => {
    const c = with_(userns(), (c) => c.linux.namespaces.pop());
    const fs = run(idMappingsNeedUserNamespace!, c);
    expect(lines(fs)).toEqual([
      'error /linux/uidMappings: id mappings need a user namespace, and linux.namespaces has none',
      'error /linux/gidMappings: id mappings need a user namespace, and linux.namespaces has none',
    ]);
    expect(fs[0]).toMatchObject({ reference: { file: 'v1.3.0/config-linux.md', section: 'User namespace mappings' }, fix: 'add {"type": "user"} to linux.namespaces, or remove the mappings' });
    expect(says(idMappingsNeedUserNamespace!, userns())).toEqual([]);
  });
  it('mappings for a joined user namespace: not applied (v1.3.0), an error (the draft)', () => {
    const c = userns('/proc/self/ns/user');
    expect(says(idMappingsNeedUserNamespace!, c)).toEqual([
      'warning /linux/uidMappings: not applied: a joined user namespace keeps the mappings it has',
      'warning /linux/gidMappings: not applied: a joined user namespace keeps the mappings it has',
    ]);
    const [f] = run(idMappingsNeedUserNamespace!, c, 'draft');
    expect(f).toMatchObject({ severity: 'error', message: 'the user namespace is joined by path: the config must say nothing else about it', reference: { file: 'draft/config-linux.md', section: 'Namespaces' } });
  });
  it('warns of a new user namespace without mappings', () => {
    const c = with_(userns(), (c) => delete c.linux.gidMappings);
    expect(says(userNamespaceMappings!, c)).toEqual(['warning /linux/namespaces/1: a new user namespace without gidMappings: every gid in it is the overflow gid 65534']);
    expect(says(userNamespaceMappings!, userns())).toEqual([]);
    expect(says(userNamespaceMappings!, with_(userns('/proc/self/ns/user'), (c) => delete c.linux.uidMappings))).toEqual([]);
  });
  it('ranges Linux refuses: size 0, past the largest id, overlapping, too many', () => {
    const c = userns();
    c.linux.uidMappings = [map(0, 100000, 1000), map(500, 300000, 10), map(2000, 0, 0), map(4294967290, 400000, 6), map(5000, 100500, 1)];
    expect(says(idMappingRanges!, c)).toEqual([
      'error /linux/uidMappings/2/size: maps no ids: Linux refuses a mapping of size 0',
      'error /linux/uidMappings/3/size: containerID 4294967290 plus size 6 passes 4294967294, the largest id',
      'error /linux/uidMappings/1: its container ids overlap those of linux.uidMappings[0]',
      'error /linux/uidMappings/4: its host ids overlap those of linux.uidMappings[0]',
    ]);
    c.linux.gidMappings = Array.from({ length: 341 }, (_, i) => map(i, 1000 + i, 1));
    expect(says(idMappingRanges!, c).slice(-1)).toEqual(['error /linux/gidMappings: 341 entries: Linux takes at most 340']);
    expect(says(idMappingRanges!, userns())).toEqual([]);
  });
  it('finds an overlap with a range that is not the previous one', () => {
    const c = userns();
    c.linux.uidMappings = [map(0, 100000, 100), map(10, 200000, 5), map(50, 300000, 5)];
    expect(says(idMappingRanges!, c)).toEqual([
      'error /linux/uidMappings/1: its container ids overlap those of linux.uidMappings[0]',
      'error /linux/uidMappings/2: its container ids overlap those of linux.uidMappings[0]',
    ]);
  });
  it('the process\'s ids must be mapped in a new user namespace', () => {
    const c = userns();
    c.linux.uidMappings = [map(0, 100000, 1000)];
    Object.assign(c.process.user, { uid: 1000, gid: 5, additionalGids: [7, 70000] });
    const fs = run(processIdsMapped!, c);
    expect(lines(fs)).toEqual(['error /process/user/uid: uid 1000 is not mapped in the user namespace', 'error /process/user/additionalGids/1: gid 70000 is not mapped in the user namespace']);
    expect(fs[0]!.reference).toEqual({ file: 'v1.3.0/config.md', section: 'POSIX-platform User' });
    expect(says(processIdsMapped!, with_(c, (c) => (c.linux.namespaces[1].path = '/proc/self/ns/user')))).toEqual([]);
  });
});

describe('config-linux.md "Offset for Time Namespace" (timeOffsets)', () => {
  const { timeOffsets } = CHECKS;
  it('needs a new time namespace, a clock Linux offsets, and nanoseconds below a second', () => {
    const c = with_(v1(), (c) => (c.linux.timeOffsets = { monotonic: { secs: 10 }, realtime: { secs: 1 }, boottime: { nanosecs: 1e9 } }));
    expect(says(timeOffsets!, c)).toEqual([
      'error /linux/timeOffsets: needs a new time namespace',
      'error /linux/timeOffsets/realtime: "realtime" is not a clock a time namespace offsets',
      'error /linux/timeOffsets/boottime/nanosecs: must be less than 1000000000 (one second)',
    ]);
    c.linux.namespaces.push({ type: 'time' });
    c.linux.timeOffsets = { monotonic: { secs: -5, nanosecs: 999999999 } };
    expect(says(timeOffsets!, c)).toEqual([]);
  });
});

describe('config-linux.md "Devices" (deviceEntries, deviceDuplicates)', () => {
  const { deviceEntries, deviceDuplicates } = CHECKS;
  const devs = (...list: Json[]) => with_(v1(), (c) => (c.linux.devices = list));
  it('passes well-formed devices', () => {
    const c = devs({ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 438 }, { path: '/dev/fifo', type: 'p' });
    expect(says(deviceEntries!, c)).toEqual([]);
    expect(says(deviceDuplicates!, c)).toEqual([]);
  });
  it('refuses a relative path, an unknown type, missing or impossible numbers', () => {
    const c = devs(
      { path: 'dev/fuse', type: 'c', major: 10, minor: 229 },
      { path: '/dev/x', type: 'x', major: 1, minor: 1 },
      { path: '/dev/sda', type: 'b', major: 8 },
      { path: '/dev/neg', type: 'u', major: -1, minor: 1048576 },
      { path: '/dev/big', type: 'c', major: 4096, minor: 0 },
    );
    const fs = run(deviceEntries!, c);
    expect(lines(fs)).toEqual([
      'error /linux/devices/0/path: must be the full path inside the container',
      'error /linux/devices/1/type: unknown device type "x"',
      'error /linux/devices/2: minor is required for a device of type "b"',
      'error /linux/devices/3/major: -1 is negative',
      "error /linux/devices/3/minor: 1048576 is more than Linux's largest minor number, 1048575",
      "error /linux/devices/4/major: 4096 is more than Linux's largest major number, 4095",
    ]);
    expect(fs[0]).toMatchObject({ fix: 'use "/dev/fuse"', reference: { file: 'v1.3.0/config-linux.md', section: 'Devices' } });
    expect(run(deviceEntries!, c, 'draft')[0]!.reference).toEqual({ file: 'draft/config-linux.md', section: 'Devices' });
  });
  it('warns of numbers on a FIFO and of a fileMode with file-type bits', () => {
    const c = devs({ path: '/dev/p', type: 'p', major: 1 }, { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o20666 });
    const fs = run(deviceEntries!, c);
    expect(lines(fs)).toEqual([
      'warning /linux/devices/0/major: ignored for a FIFO (type "p")',
      'warning /linux/devices/1/fileMode: 8630 has bits beyond the permission bits (07777); the file type comes from type',
    ]);
    expect(fs[1]!.fix).toBe('use 438 (0666 in octal)');
  });
  it('the same type, major and minor SHOULD NOT be used twice; one path cannot hold two devices', () => {
    const c = devs(
      { path: '/dev/null', type: 'c', major: 1, minor: 3 },
      { path: '/dev/null2', type: 'c', major: 1, minor: 3 },
      { path: '/dev/null', type: 'c', major: 1, minor: 5 },
      { path: '/dev/null', type: 'c', major: 1, minor: 3 },
    );
    expect(says(deviceDuplicates!, c)).toEqual([
      'warning /linux/devices/1: the same type, major and minor as linux.devices[0]',
      'error /linux/devices/2/path: /dev/null is also the path of linux.devices[0], a different device',
      'warning /linux/devices/3: the same type, major and minor as linux.devices[0]',
    ]);
  });
});

describe('config-linux.md "Sysctl" (sysctlNamespaces)', () => {
  const { sysctlNamespaces } = CHECKS;
  it('knows which namespace each sysctl belongs to', () => {
    expect(sysctlNamespace('net.ipv4.ip_forward')).toBe('network');
    expect(sysctlNamespace('net/ipv4/conf/eth0.100/forwarding')).toBe('network');
    expect(sysctlNamespace('kernel.shmmax')).toBe('ipc');
    expect(sysctlNamespace('fs.mqueue.msg_max')).toBe('ipc');
    expect(sysctlNamespace('kernel/sem')).toBe('ipc');
    expect(sysctlNamespace('kernel.hostname')).toBe('uts');
    expect(sysctlNamespace('user.max_user_namespaces')).toBe('user');
    expect(sysctlNamespace('vm.swappiness')).toBeUndefined();
    expect(sysctlNamespace('kernel.shmmax.x')).toBeUndefined();
  });
  it('refuses a sysctl the container would share with the host', () => {
    const c = with_(v1(), (c) => (c.linux.sysctl = { 'net.core.somaxconn': '256', 'kernel.shmmax': '1', 'vm.swappiness': '0', 'kernel.domainname': 'x' }));
    const fs = run(sysctlNamespaces!, c);
    expect(lines(fs)).toEqual([
      "error /linux/sysctl/net.core.somaxconn: needs a network namespace: without one it would change the host's",
      "error /linux/sysctl/kernel.shmmax: needs a ipc namespace: without one it would change the host's",
      'error /linux/sysctl/vm.swappiness: not namespaced: writing it would change the host, not the container',
      "error /linux/sysctl/kernel.domainname: needs a uts namespace: without one it would change the host's",
    ]);
    expect(fs[0]).toMatchObject({ reference: { file: 'v1.3.0/config-linux.md', section: 'Sysctl' }, fix: 'add {"type": "network"} to linux.namespaces' });
    c.linux.namespaces.push({ type: 'network', path: '/proc/self/ns/net' }, { type: 'ipc' }, { type: 'uts' });
    expect(says(sysctlNamespaces!, c)).toEqual(['error /linux/sysctl/vm.swappiness: not namespaced: writing it would change the host, not the container']);
  });
  it('escapes a sysctl name with "/" in its pointer', () => {
    const c = with_(v1(), (c) => (c.linux.sysctl = { 'net/ipv4/ip_forward': '1' }));
    expect(run(sysctlNamespaces!, c)[0]!.pointer).toBe('/linux/sysctl/net~1ipv4~1ip_forward');
  });
});

describe('config-linux.md "Masked Paths" and "Readonly Paths" (maskedAndReadonlyPaths)', () => {
  const { maskedAndReadonlyPaths } = CHECKS;
  it('values MUST be absolute (v1.3.0)', () => {
    const c = with_(v1(), (c) => Object.assign(c.linux, { maskedPaths: ['/proc/kcore', 'proc/keys'], readonlyPaths: ['sys'] }));
    const fs = run(maskedAndReadonlyPaths!, c);
    expect(lines(fs)).toEqual(['error /linux/maskedPaths/1: must be an absolute path', 'error /linux/readonlyPaths/0: must be an absolute path']);
    expect(fs.map((f) => f.reference.section)).toEqual(['Masked Paths', 'Readonly Paths']);
    expect(fs[1]!.fix).toBe('use "/sys"');
    expect(says(maskedAndReadonlyPaths!, c, 'draft')).toEqual([]);
  });
});

describe('config-linux.md "Seccomp"', () => {
  const { seccompActions, seccompArchitectures, seccompSyscalls, seccompSettings } = CHECKS;
  const lib = seccompNames();
  const sc = (seccomp: Json) => with_(v1(), (c) => (c.linux.seccomp = seccomp));
  it('loads the host\'s libseccomp through koffi', () => {
    expect(lib).toBeDefined();
    expect(lib!.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lib!.syscallKnown('read')).toBe(true);
    expect(lib!.syscallKnown('socketcall')).toBe(true); // not on x86-64, but a name libseccomp knows
    expect(lib!.syscallKnown('no_such_syscall')).toBe(false);
    expect(lib!.syscallKnown('read\0x')).toBe(false);
    expect(lib!.archKnown('SCMP_ARCH_X86_64')).toBe(true);
    expect(lib!.archKnown('x86_64')).toBe(false);
  });
  it('actions are the edition\'s; errnoRet MUST be an error on an action without an errno', () => {
    const c = sc({ defaultAction: 'SCMP_ACT_KILL', defaultErrnoRet: 1, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }, { names: ['write'], action: 'SCMP_ACT_DENY' }, { names: ['open'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }, { names: ['close'], action: 'SCMP_ACT_LOG' }] });
    const fs = run(seccompActions!, c);
    expect(lines(fs)).toEqual([
      'error /linux/seccomp/defaultErrnoRet: "SCMP_ACT_KILL" takes no errno',
      'error /linux/seccomp/syscalls/0/errnoRet: "SCMP_ACT_ALLOW" takes no errno',
      'error /linux/seccomp/syscalls/1/action: unknown action "SCMP_ACT_DENY"',
    ]);
    expect(fs[0]!.reference).toEqual({ file: 'v1.3.0/config-linux.md', section: 'Seccomp' });
    const d = with_(draft(), (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_LOG', syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] }));
    const [f] = run(seccompActions!, d, 'draft');
    expect(f).toMatchObject({ pointer: '/linux/seccomp/defaultAction', message: 'unknown action "SCMP_ACT_LOG"', reference: { file: 'draft/config-linux.md', section: 'seccomp' } });
    expect(run(seccompActions!, d, 'draft')).toHaveLength(1);
  });
  it('architectures are SCMP_ARCH_* constants, and ones the host\'s libseccomp knows', () => {
    const c = sc({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AMD64', 'SCMP_ARCH_LOONGARCH64'] });
    const loong = lib!.archKnown('SCMP_ARCH_LOONGARCH64') ? [] : [`warning /linux/seccomp/architectures/2: libseccomp ${lib!.version} on this host does not know "SCMP_ARCH_LOONGARCH64"`];
    expect(says(seccompArchitectures!, c)).toEqual(['error /linux/seccomp/architectures/1: unknown architecture "SCMP_ARCH_AMD64"', ...loong]);
    expect(says(seccompArchitectures!, c, 'draft')).toEqual(['error /linux/seccomp/architectures/1: unknown architecture "SCMP_ARCH_AMD64"', 'error /linux/seccomp/architectures/2: unknown architecture "SCMP_ARCH_LOONGARCH64"']);
  });
  it('warns of a syscall name libseccomp does not know; checks args\' operator and index', () => {
    const c = sc({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read', 'raed', 'socketcall'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }] }] });
    const fs = run(seccompSyscalls!, c);
    expect(lines(fs)).toEqual([
      `warning /linux/seccomp/syscalls/0/names/1: "raed" is not a syscall libseccomp ${lib!.version} on this host knows`,
      'error /linux/seccomp/syscalls/0/args/0/index: 6 is not an argument index: a syscall has arguments 0 to 5',
      'error /linux/seccomp/syscalls/0/args/1/op: unknown operator "SCMP_CMP_EQUAL"',
    ]);
    const d = with_(draft(), (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'getcwd', action: 'SCMP_ACT_ERRNO' }, { name: 'getcwdd', action: 'SCMP_ACT_ERRNO' }] }));
    expect(says(seccompSyscalls!, d, 'draft')).toEqual([`warning /linux/seccomp/syscalls/1/name: "getcwdd" is not a syscall libseccomp ${lib!.version} on this host knows`]);
  });
  it('flags, listenerMetadata without listenerPath, SCMP_ACT_NOTIFY without a listener', () => {
    const c = sc({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_NEW_LISTENER'], listenerMetadata: 'x', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['mount'], action: 'SCMP_ACT_NOTIFY' }] });
    expect(says(seccompSettings!, c)).toEqual([
      'error /linux/seccomp/flags/1: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"',
      'error /linux/seccomp/listenerMetadata: set without listenerPath',
      'warning /linux/seccomp/syscalls/1/action: uses SCMP_ACT_NOTIFY without listenerPath: nothing will answer the notifications',
    ]);
    c.linux.seccomp.listenerPath = '/run/agent.sock';
    expect(says(seccompSettings!, c)).toEqual(['error /linux/seccomp/flags/1: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"']);
  });
});

describe('semanticFindings', () => {
  it('finds nothing wrong with the sample bundles', () => {
    for (const name of ['v1-basic', 'v1-userns', 'draft-basic', 'draft-autoremove']) {
      const dir = fileURLToPath(new URL(`../../bundles/${name}`, import.meta.url));
      expect(existsSync(join(dir, 'rootfs')), `${name}/rootfs (npm run build:bundles)`).toBe(true);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      expect(semanticFindings(config, { edition: name.startsWith('v1') ? 'v1' : 'draft', bundleDir: dir }), name).toEqual([]);
    }
  });

  it('runs every check: a config that breaks each rule gets a finding from each', () => {
    const map = [{ containerID: 0, hostID: 1000, size: 0 }];
    const c: Json = {
      ociVersion: '1.9.0',
      root: { path: 'missing' },
      hostname: 'h',
      mounts: [{ destination: 'rel', options: ['idmap'], uidMappings: map }],
      process: {
        cwd: 'rel', env: ['X'], consoleSize: { height: 1, width: 1 }, user: { uid: 5, gid: 0 },
        rlimits: [{ type: 'RLIMIT_X', soft: 2, hard: 1 }],
        capabilities: { bounding: ['CAP_X'], effective: ['CAP_KILL'] },
      },
      hooks: { prestart: [{ path: 'rel', timeout: 0 }] },
      linux: {
        namespaces: [{ type: 'x' }, { type: 'pid' }, { type: 'pid', path: '/proc/self/ns/net' }, { type: 'user' }, { type: 'time', path: '/proc/self/ns/time' }],
        uidMappings: map,
        timeOffsets: { realtime: {} },
        devices: [{ path: 'rel', type: 'c', major: 1, minor: 1 }, { path: 'rel', type: 'c', major: 1, minor: 1 }],
        sysctl: { 'vm.swappiness': '1' },
        maskedPaths: ['rel'],
        seccomp: { defaultAction: 'X', architectures: ['X'], flags: ['X'], listenerMetadata: 'x', syscalls: [{ names: ['nope'], action: 'SCMP_ACT_ALLOW' }] },
      },
    };
    // idMappingsNeedUserNamespace needs the user namespace gone, the mapping checks need it there.
    const noUserns = with_(structuredClone(c), (c) => c.linux.namespaces.splice(3, 1));
    const ctx = { edition: 'v1' as const, bundleDir: bundle };
    for (const [name, check] of Object.entries(CHECKS)) expect(check(c, ctx).length + check(noUserns, ctx).length, name).toBeGreaterThan(0);
    const all = [...semanticFindings(c, ctx), ...semanticFindings(noUserns, ctx)];
    for (const f of all) {
      expect(f.message, f.pointer).toMatch(/^[^A-Z]/); // lowercase start (a quoted or numeric value may lead)
      expect(f.message, f.pointer).not.toMatch(/[.\n]$|\n/);
      expect(f.pointer).toMatch(/^(\/[^/]*)*$/);
      expect(f.reference.file).toMatch(/^v1\.3\.0\/config(-linux)?\.md$/);
      expect(f.message).not.toMatch(/internal error/);
    }
  });

  it('gives nothing for a document that is not an object', () => {
    for (const doc of [null, undefined, 0, 'config', [], [{}], true]) expect(semanticFindings(doc, { edition: 'v1', bundleDir: bundle })).toEqual([]);
  });

  it('never throws, whatever type stands in any position', () => {
    const rich: Json = {
      ociVersion: '1.3.0',
      root: { path: 'rootfs' },
      hostname: 'h',
      domainname: 'd',
      mounts: [{ destination: '/a', options: ['idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }],
      process: {
        terminal: false, consoleSize: { height: 1, width: 1 }, cwd: '/', env: ['A=b'], args: ['/x'],
        user: { uid: 0, gid: 0, additionalGids: [1] },
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }],
        capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
      },
      hooks: { prestart: [{ path: hookOk, timeout: 1 }], startContainer: [{ path: '/x' }] },
      linux: {
        namespaces: [{ type: 'user' }, { type: 'network', path: '/proc/self/ns/net' }, { type: 'time' }, { type: 'uts' }],
        uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }],
        gidMappings: [{ containerID: 0, hostID: 1000, size: 10 }],
        timeOffsets: { monotonic: { secs: 1, nanosecs: 1 } },
        devices: [{ path: '/dev/x', type: 'c', major: 1, minor: 1, fileMode: 1 }],
        sysctl: { 'net.ipv4.ip_forward': '1' },
        maskedPaths: ['/a'],
        readonlyPaths: ['/b'],
        seccomp: {
          defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], flags: ['SECCOMP_FILTER_FLAG_LOG'],
          listenerPath: '/s', listenerMetadata: 'm',
          syscalls: [{ names: ['read'], name: 'read', action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }, { names: ['mount'], action: 'SCMP_ACT_NOTIFY' }],
        },
      },
    };
    const garbage: unknown[] = [null, undefined, 0, -1, 1.5, 1e300, Number.NaN, '', 'x', '/', true, [], [null], [0], ['x'], {}, { type: 'user' }, { '': 1 }];
    const ctxs = [{ edition: 'v1' as const, bundleDir: bundle }, { edition: 'draft' as const, bundleDir: bundle }];
    let runs = 0;
    // Every position in the rich config, in turn, replaced by every kind of garbage.
    const visit = (node: Json, path: Array<string | number>) => {
      if (node === null || typeof node !== 'object') return;
      for (const key of Object.keys(node)) {
        const original = node[key];
        for (const g of garbage) {
          node[key] = g;
          for (const ctx of ctxs) {
            const fs = semanticFindings(rich, ctx);
            runs++;
            const broken = fs.filter((f) => /internal error/.test(f.message));
            expect(broken, `${[...path, key].join('.')} = ${JSON.stringify(g)}`).toEqual([]);
          }
        }
        node[key] = original;
        visit(original, [...path, key]);
      }
    };
    visit(rich, []);
    expect(runs).toBeGreaterThan(1000);
    expect(semanticFindings(rich, ctxs[0]!).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
