// Generates tests/fixtures/invalid-bundles/: one bundle per row of the table below, each a mutation
// of a valid config (bundles/v1-basic or bundles/draft-basic) with the finding it must produce.
//
//   tests/fixtures/invalid-bundles/<NNN-short-name>/config.json     the mutated config (one bundle has none)
//   tests/fixtures/invalid-bundles/<NNN-short-name>/expected.json   { pointer, message }: the finding's
//                                                                    pointer and a substring of its message
//   tests/fixtures/invalid-bundles/<NNN-short-name>/rootfs/.keep    root.path's directory (git keeps no empty dirs)
//
// The fixtures are committed output, so that reviewers see them; tests/unit/validate-corpus.test.ts
// checks each. Run after changing the table, the sample configs or a finding's wording:
//
//   node_modules/.bin/bun scripts/gen-invalid-bundles.ts          # rewrites the corpus, then checks it
//
// The 100 MB config.json is not committed: the corpus test writes it at run time.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateBundle } from '../src/spec/validate.ts';

const PROJECT = resolve(import.meta.dirname, '..');
const CORPUS = join(PROJECT, 'tests/fixtures/invalid-bundles');

type Json = any; // configs are edited freely here

interface Case {
  name: string;
  base: 'v1' | 'draft';
  pointer: string;
  message: string;
  /** the mutation; or `raw`, the whole text of config.json (null: no config.json at all) */
  edit?: (c: Json) => void;
  raw?: string | null;
}

const sample = (name: string): Json => JSON.parse(readFileSync(join(PROJECT, 'bundles', name, 'config.json'), 'utf8'));
const BASE = { v1: sample('v1-basic'), draft: sample('draft-basic') };

const CASES: Case[] = [];
/** A row: short name, base config, expected pointer and message substring, mutation. */
function add(name: string, base: 'v1' | 'draft', pointer: string, message: string, edit: (c: Json) => void): void {
  CASES.push({ name, base, pointer, message, edit });
}
const both = (name: string, pointer: string, message: string, edit: (c: Json) => void) => {
  add(`${name}-v1`, 'v1', pointer, message, edit);
  add(`${name}-draft`, 'draft', pointer, message, edit);
};
const raw = (name: string, text: string | null, message: string) => CASES.push({ name, base: 'v1', pointer: '', message, raw: text });

// ---- reading config.json (bundle.md "Container Format") ----------------------------------------

raw('no-config-json', null, 'config.json: ENOENT');
raw('empty-file', '', 'the file is empty');
raw('only-whitespace', '\n  \n', 'the file is empty');
raw('not-json-truncated', '{"ociVersion": "1.3.0", "root": {', 'not valid JSON');
raw('not-json-trailing-comma', '{"ociVersion": "1.3.0",}', 'not valid JSON');
raw('not-json-single-quotes', "{'ociVersion': '1.3.0'}", 'not valid JSON');
raw('not-json-yaml', 'ociVersion: 1.3.0\nroot:\n  path: rootfs\n', 'not valid JSON');
raw('top-level-array', '[{"ociVersion": "1.3.0"}]', 'must be a JSON object, not an array');
raw('top-level-string', '"1.3.0"', 'must be a JSON object, not a string');
raw('top-level-number', '42', 'must be a JSON object, not a number');
raw('top-level-null', 'null', 'must be a JSON object, not null');
raw('deep-nesting-10000', `{"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'more than 128 levels deep');
raw('deep-nesting-objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'more than 128 levels deep');

// ---- ociVersion (config.md "Specification version") ---------------------------------------------

add('ociversion-missing', 'v1', '/ociVersion', 'required', (c) => delete c.ociVersion);
add('ociversion-number', 'v1', '/ociVersion', 'must be a string', (c) => (c.ociVersion = 1.3));
add('ociversion-not-semver', 'v1', '/ociVersion', 'is not SemVer 2.0.0', (c) => (c.ociVersion = 'one'));
add('ociversion-two-parts', 'v1', '/ociVersion', 'is not SemVer 2.0.0', (c) => (c.ociVersion = '1.3'));
add('ociversion-v-prefix', 'v1', '/ociVersion', 'is not SemVer 2.0.0', (c) => (c.ociVersion = 'v1.3.0'));
add('ociversion-leading-zero', 'v1', '/ociVersion', 'is not SemVer 2.0.0', (c) => (c.ociVersion = '1.03.0'));
add('ociversion-major-2', 'v1', '/ociVersion', 'newer than any edition ocirt knows', (c) => (c.ociVersion = '2.0.0'));
add('ociversion-null', 'draft', '/ociVersion', 'must be a string, not null', (c) => (c.ociVersion = null));

// ---- root (config.md "Root") --------------------------------------------------------------------

both('root-missing', '', '"root" is required', (c) => delete c.root);
both('root-string', '/root', 'must be an object', (c) => (c.root = 'rootfs'));
both('root-path-missing', '/root', '"path" is required', (c) => delete c.root.path);
both('root-path-number', '/root/path', 'must be a string', (c) => (c.root.path = 7));
add('root-path-empty', 'v1', '/root/path', 'must not be empty', (c) => (c.root.path = ''));
both('root-readonly-string', '/root/readonly', 'must be a boolean', (c) => (c.root.readonly = 'true'));
add('draft-root-autoremove-string', 'draft', '/root/autoremove', 'must be a boolean', (c) => (c.root.autoremove = 'yes'));

// ---- mounts (config.md "Mounts") ----------------------------------------------------------------

both('mounts-object', '/mounts', 'must be an array', (c) => (c.mounts = { '/proc': { type: 'proc' } }));
both('mount-string', '/mounts/0', 'must be an object', (c) => (c.mounts[0] = '/proc'));
both('mount-destination-missing', '/mounts/1', '"destination" is required', (c) => delete c.mounts[1].destination);
both('mount-destination-number', '/mounts/1/destination', 'must be a string', (c) => (c.mounts[1].destination = 1));
add('mount-destination-empty', 'v1', '/mounts/2/destination', 'must not be empty', (c) => (c.mounts[2].destination = ''));
both('mount-options-string', '/mounts/1/options', 'must be an array', (c) => (c.mounts[1].options = 'nosuid,strictatime'));
both('mount-option-number', '/mounts/1/options/2', 'must be a string', (c) => (c.mounts[1].options[2] = 755));
both('mount-type-number', '/mounts/0/type', 'must be a string', (c) => (c.mounts[0].type = 0));
both('mount-source-boolean', '/mounts/0/source', 'must be a string', (c) => (c.mounts[0].source = true));
add('mount-uidmappings-without-gid', 'v1', '/mounts/6', '"uidMappings" is given without "gidMappings"', (c) => (c.mounts[6].uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]));
add('mount-idmapping-size-string', 'v1', '/mounts/6/uidMappings/0/size', 'must be an integer', (c) => {
  c.mounts[6].uidMappings = [{ containerID: 0, hostID: 1000, size: '1' }];
  c.mounts[6].gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
});
add('draft-mount-type-missing', 'draft', '/mounts/0', '"type" is required', (c) => delete c.mounts[0].type);
add('draft-mount-source-missing', 'draft', '/mounts/0', '"source" is required', (c) => delete c.mounts[0].source);

// ---- process (config.md "Process", "POSIX process", "User") -------------------------------------

both('process-string', '/process', 'must be an object', (c) => (c.process = '/probe report'));
both('process-args-missing', '/process', '"args" is required', (c) => delete c.process.args);
both('process-args-string', '/process/args', 'must be an array', (c) => (c.process.args = '/probe report'));
both('process-arg-number', '/process/args/1', 'must be a string', (c) => (c.process.args[1] = 1));
add('process-args-empty', 'v1', '/process/args', 'must not be empty', (c) => (c.process.args = []));
both('process-cwd-missing', '/process', '"cwd" is required', (c) => delete c.process.cwd);
both('process-cwd-number', '/process/cwd', 'must be a string', (c) => (c.process.cwd = 0));
both('process-env-string', '/process/env', 'must be an array', (c) => (c.process.env = 'PATH=/bin'));
both('process-env-number', '/process/env/1', 'must be a string', (c) => (c.process.env[1] = 42));
both('process-terminal-string', '/process/terminal', 'must be a boolean', (c) => (c.process.terminal = 'false'));
both('process-user-uid-missing', '/process/user', '"uid" is required', (c) => delete c.process.user.uid);
both('process-user-gid-missing', '/process/user', '"gid" is required', (c) => delete c.process.user.gid);
both('process-user-uid-string', '/process/user/uid', 'must be an integer', (c) => (c.process.user.uid = '0'));
both('process-user-uid-negative', '/process/user/uid', 'must not be negative', (c) => (c.process.user.uid = -1));
add('process-user-uid-too-big', 'v1', '/process/user/uid', 'must be at most 4294967295', (c) => (c.process.user.uid = 4294967296));
both('process-user-gid-fraction', '/process/user/gid', 'must be an integer', (c) => (c.process.user.gid = 1.5));
both('process-additional-gids-string', '/process/user/additionalGids', 'must be an array', (c) => (c.process.user.additionalGids = '5,6'));
both('process-additional-gid-negative', '/process/user/additionalGids/1', 'must not be negative', (c) => (c.process.user.additionalGids = [5, -6]));
add('process-umask-string', 'v1', '/process/user/umask', 'must be an integer', (c) => (c.process.user.umask = '022'));
add('process-console-size-height-missing', 'v1', '/process/consoleSize', '"height" is required', (c) => (c.process.consoleSize = { width: 80 }));
add('process-no-new-privileges-string', 'v1', '/process/noNewPrivileges', 'must be a boolean', (c) => (c.process.noNewPrivileges = 'true'));
add('process-oom-score-adj-string', 'v1', '/process/oomScoreAdj', 'must be an integer', (c) => (c.process.oomScoreAdj = '-500'));
add('process-oom-score-adj-too-small', 'v1', '/process/oomScoreAdj', 'must be at least -2147483648', (c) => (c.process.oomScoreAdj = -2147483649));
add('process-rlimits-object', 'v1', '/process/rlimits', 'must be an array', (c) => (c.process.rlimits = { RLIMIT_NOFILE: 1024 }));
add('process-rlimit-type-missing', 'v1', '/process/rlimits/0', '"type" is required', (c) => (c.process.rlimits = [{ soft: 1, hard: 1 }]));
add('process-rlimit-soft-missing', 'v1', '/process/rlimits/0', '"soft" is required', (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 1024 }]));
add('process-rlimit-hard-negative', 'v1', '/process/rlimits/0/hard', 'must not be negative', (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: -1 }]));
add('process-capabilities-array', 'v1', '/process/capabilities', 'must be an object', (c) => (c.process.capabilities = ['CAP_KILL']));
add('process-capabilities-bounding-string', 'v1', '/process/capabilities/bounding', 'must be an array', (c) => (c.process.capabilities = { bounding: 'CAP_KILL' }));
add('process-scheduler-policy-unknown', 'v1', '/process/scheduler/policy', 'must be one of', (c) => (c.process.scheduler = { policy: 'SCHED_FAST' }));
add('process-scheduler-policy-missing', 'v1', '/process/scheduler', '"policy" is required', (c) => (c.process.scheduler = { nice: 1 }));
add('process-io-priority-class-unknown', 'v1', '/process/ioPriority/class', 'must be one of', (c) => (c.process.ioPriority = { class: 'IOPRIO_CLASS_FAST', priority: 1 }));
add('process-apparmor-number', 'v1', '/process/apparmorProfile', 'must be a string', (c) => (c.process.apparmorProfile = 1));
add('draft-process-capabilities-object', 'draft', '/process/capabilities', 'must be an array', (c) => (c.process.capabilities = { bounding: ['CAP_KILL'] }));

// ---- hostname, domainname, annotations (config.md) ----------------------------------------------

both('hostname-number', '/hostname', 'must be a string', (c) => (c.hostname = 1));
add('domainname-array', 'v1', '/domainname', 'must be a string', (c) => (c.domainname = ['example.org']));
both('annotations-array', '/annotations', 'must be an object', (c) => (c.annotations = ['a=b']));
both('annotation-value-number', '/annotations/com.example.cores', 'must be a string', (c) => (c.annotations = { 'com.example.cores': 2 }));
add('annotation-empty-key', 'v1', '/annotations', 'has an empty key', (c) => (c.annotations = { '': 'value' }));

// ---- hooks (config.md "POSIX-platform Hooks") ---------------------------------------------------

add('hooks-array', 'v1', '/hooks', 'must be an object', (c) => (c.hooks = [{ path: '/bin/true' }]));
add('hooks-prestart-object', 'v1', '/hooks/prestart', 'must be an array', (c) => (c.hooks = { prestart: { path: '/bin/true' } }));
both('hook-path-missing', '/hooks/poststart/0', '"path" is required', (c) => (c.hooks = { poststart: [{ args: ['true'] }] }));
both('hook-path-number', '/hooks/poststop/0/path', 'must be a string', (c) => (c.hooks = { poststop: [{ path: 1 }] }));
add('hook-timeout-zero', 'v1', '/hooks/createRuntime/0/timeout', 'must be greater than 0', (c) => (c.hooks = { createRuntime: [{ path: '/bin/true', timeout: 0 }] }));
add('hook-timeout-string', 'v1', '/hooks/createContainer/0/timeout', 'must be an integer', (c) => (c.hooks = { createContainer: [{ path: '/bin/true', timeout: '5' }] }));
add('hook-args-string', 'v1', '/hooks/startContainer/0/args', 'must be an array', (c) => (c.hooks = { startContainer: [{ path: '/bin/true', args: 'true' }] }));

// ---- linux: namespaces, id mappings (config-linux.md) -------------------------------------------

both('linux-array', '/linux', 'must be an object', (c) => (c.linux = []));
both('namespaces-object', '/linux/namespaces', 'must be an array', (c) => (c.linux.namespaces = { pid: {} }));
both('namespace-type-missing', '/linux/namespaces/1', '"type" is required', (c) => (c.linux.namespaces[1] = { path: '/proc/1/ns/ipc' }));
both('namespace-type-unknown', '/linux/namespaces/1/type', 'must be one of', (c) => (c.linux.namespaces[1].type = 'ipcs'));
add('namespace-type-net', 'v1', '/linux/namespaces/4/type', 'must be one of', (c) => (c.linux.namespaces[4].type = 'net'));
add('draft-namespace-type-time', 'draft', '/linux/namespaces/1/type', 'must be one of', (c) => (c.linux.namespaces[1].type = 'time'));
both('namespace-path-number', '/linux/namespaces/0/path', 'must be a string', (c) => (c.linux.namespaces[0].path = 1));
both('uid-mappings-object', '/linux/uidMappings', 'must be an array', (c) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = { containerID: 0, hostID: 1000, size: 1 };
  c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
});
both('uid-mapping-hostid-missing', '/linux/uidMappings/0', '"hostID" is required', (c) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, size: 1 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
});
add('gid-mapping-size-negative', 'v1', '/linux/gidMappings/0/size', 'must not be negative', (c) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: -1 }];
});
add('time-offsets-secs-string', 'v1', '/linux/timeOffsets/monotonic/secs', 'must be an integer', (c) => {
  c.linux.namespaces.push({ type: 'time' });
  c.linux.timeOffsets = { monotonic: { secs: '86400' } };
});
add('rootfs-propagation-unknown', 'v1', '/linux/rootfsPropagation', 'must be one of', (c) => (c.linux.rootfsPropagation = 'sharred'));
both('cgroups-path-number', '/linux/cgroupsPath', 'must be a string', (c) => (c.linux.cgroupsPath = 5));

// ---- linux: devices, resources (config-linux.md "Devices", "Control groups") ---------------------

both('devices-object', '/linux/devices', 'must be an array', (c) => (c.linux.devices = { '/dev/fuse': 'c' }));
both('device-type-unknown', '/linux/devices/0/type', 'must be one of', (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'x', major: 10, minor: 229 }]));
both('device-path-missing', '/linux/devices/0', '"path" is required', (c) => (c.linux.devices = [{ type: 'c', major: 10, minor: 229 }]));
add('device-file-mode-string', 'v1', '/linux/devices/0/fileMode', 'must be an integer', (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: '0666' }]));
add('device-major-missing', 'v1', '/linux/devices/0', '"major" is required', (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', minor: 229 }]));
add('device-cgroup-allow-missing', 'v1', '/linux/resources/devices/0', '"allow" is required', (c) => (c.linux.resources = { devices: [{ access: 'rwm' }] }));
add('device-cgroup-access-bad', 'v1', '/linux/resources/devices/0/access', 'must be made of the letters r, w and m', (c) => (c.linux.resources = { devices: [{ allow: false, access: 'rwx' }] }));
add('device-cgroup-type-unknown', 'v1', '/linux/resources/devices/0/type', 'must be one of', (c) => (c.linux.resources = { devices: [{ allow: true, type: 'u' }] }));
add('memory-limit-string', 'v1', '/linux/resources/memory/limit', 'must be an integer', (c) => (c.linux.resources = { memory: { limit: '512M' } }));
add('memory-swappiness-negative', 'v1', '/linux/resources/memory/swappiness', 'must not be negative', (c) => (c.linux.resources = { memory: { swappiness: -1 } }));
add('cpu-shares-negative', 'v1', '/linux/resources/cpu/shares', 'must not be negative', (c) => (c.linux.resources = { cpu: { shares: -1024 } }));
add('cpu-cpus-number', 'v1', '/linux/resources/cpu/cpus', 'must be a string', (c) => (c.linux.resources = { cpu: { cpus: 0 } }));
add('pids-limit-string', 'v1', '/linux/resources/pids/limit', 'must be an integer', (c) => (c.linux.resources = { pids: { limit: 'unlimited' } }));
add('blockio-weight-too-big', 'v1', '/linux/resources/blockIO/weight', 'must be at most', (c) => (c.linux.resources = { blockIO: { weight: 70000 } }));
add('blockio-weight-device-without-weight', 'v1', '/linux/resources/blockIO/weightDevice/0', 'needs at least one of "weight", "leafWeight"', (c) => (c.linux.resources = { blockIO: { weightDevice: [{ major: 8, minor: 0 }] } }));
add('blockio-throttle-rate-missing', 'v1', '/linux/resources/blockIO/throttleReadBpsDevice/0', '"rate" is required', (c) => (c.linux.resources = { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0 }] } }));
add('hugepage-size-bad', 'v1', '/linux/resources/hugepageLimits/0/pageSize', 'must be a size such as 64KB, 2MB or 1GB', (c) => (c.linux.resources = { hugepageLimits: [{ pageSize: '2M', limit: 1 }] }));
add('network-class-id-string', 'v1', '/linux/resources/network/classID', 'must be an integer', (c) => (c.linux.resources = { network: { classID: '0x100001' } }));
add('unified-value-number', 'v1', '/linux/resources/unified/memory.high', 'must be a string', (c) => (c.linux.resources = { unified: { 'memory.high': 1024 } }));
add('draft-resources-array', 'draft', '/linux/resources', 'must be an object', (c) => (c.linux.resources = []));

// ---- linux: seccomp, sysctl, paths, personality, rdt (config-linux.md) ---------------------------

add('seccomp-default-action-missing', 'v1', '/linux/seccomp', '"defaultAction" is required', (c) => (c.linux.seccomp = { syscalls: [] }));
add('seccomp-default-action-unknown', 'v1', '/linux/seccomp/defaultAction', 'must be one of', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOWED' }));
add('seccomp-architecture-unknown', 'v1', '/linux/seccomp/architectures/0', 'must be one of', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }));
add('seccomp-syscall-names-missing', 'v1', '/linux/seccomp/syscalls/0', '"names" is required', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }));
add('seccomp-syscall-action-unknown', 'v1', '/linux/seccomp/syscalls/0/action', 'must be one of', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'DENY' }] }));
add('seccomp-arg-op-unknown', 'v1', '/linux/seccomp/syscalls/0/args/0/op', 'must be one of', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, op: 'EQ' }] }] }));
add('seccomp-flag-unknown', 'v1', '/linux/seccomp/flags/0', 'must be one of', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FAST'] }));
add('sysctl-value-number', 'v1', '/linux/sysctl/net.ipv4.ip_forward', 'must be a string', (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': 1 }));
add('masked-paths-string', 'v1', '/linux/maskedPaths', 'must be an array', (c) => (c.linux.maskedPaths = '/proc/kcore'));
add('readonly-path-number', 'v1', '/linux/readonlyPaths/0', 'must be a string', (c) => (c.linux.readonlyPaths = [1]));
add('personality-domain-unknown', 'v1', '/linux/personality/domain', 'must be one of', (c) => (c.linux.personality = { domain: 'LINUX64' }));
add('mount-label-number', 'v1', '/linux/mountLabel', 'must be a string', (c) => (c.linux.mountLabel = 0));
add('intel-rdt-schemata-string', 'v1', '/linux/intelRdt/schemata', 'must be an array', (c) => (c.linux.intelRdt = { schemata: 'L3:0=ffff' }));
add('memory-policy-mode-unknown', 'v1', '/linux/memoryPolicy/mode', 'must be one of', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_FAST', nodes: '0' }));
add('net-devices-array', 'v1', '/linux/netDevices', 'must be an object', (c) => (c.linux.netDevices = ['eth0']));

// ---- semantic checks (src/spec/checks/): what the schema cannot say ------------------------------

// config.md "Root": "A directory MUST exist at the path declared by the field"
both('root-path-does-not-exist', '/root/path', 'does not exist', (c) => (c.root.path = 'no-such-rootfs'));
both('root-path-absolute-missing', '/root/path', '/no/such/rootfs does not exist', (c) => (c.root.path = '/no/such/rootfs'));
add('root-path-is-a-file', 'v1', '/root/path', 'is not a directory', (c) => (c.root.path = 'config.json'));
// draft config.md "Hostname": only with a new uts namespace
add('draft-hostname-without-uts', 'draft', '/hostname', 'setting it needs a new uts namespace', (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: Json) => n.type !== 'uts')));
add('draft-hostname-joined-uts', 'draft', '/hostname', 'setting it needs a new uts namespace', (c) => (c.linux.namespaces.find((n: Json) => n.type === 'uts').path = '/proc/1/ns/uts'));
// config.md "POSIX-platform Mounts" and "Linux mount options"
add('mount-gidmappings-without-uid', 'v1', '/mounts/6/gidMappings', 'given without uidMappings', (c) => (c.mounts[6].gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]));
add('mount-idmap-without-mappings', 'v1', '/mounts/6/options/3', '"idmap" needs uidMappings and gidMappings', (c) => c.mounts[6].options.push('idmap'));
// config.md "Process": cwd MUST be absolute
both('process-cwd-relative', '/process/cwd', 'must be an absolute path', (c) => (c.process.cwd = 'tmp'));
// config.md "POSIX process": rlimits
both('rlimit-type-unknown', '/process/rlimits/0/type', 'is not a Linux resource limit', (c) => (c.process.rlimits = [{ type: 'RLIMIT_FILES', soft: 1024, hard: 1024 }]));
add('rlimit-type-lowercase', 'v1', '/process/rlimits/0/type', '"nofile" is not a Linux resource limit', (c) => (c.process.rlimits = [{ type: 'nofile', soft: 1024, hard: 1024 }]));
add('rlimit-type-twice', 'v1', '/process/rlimits/1/type', '"RLIMIT_NOFILE" is given twice', (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLIMIT_NOFILE', soft: 64, hard: 64 }]));
both('rlimit-soft-above-hard', '/process/rlimits/0/soft', 'is above the hard limit', (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 4096, hard: 1024 }]));
// draft config.md "Process configuration": capability names
add('draft-capability-unknown', 'draft', '/process/capabilities/1', '"CAP_FLY" is not a Linux capability', (c) => (c.process.capabilities = ['CAP_KILL', 'CAP_FLY']));
// config.md "POSIX-platform Hooks": absolute, existing, executable
both('hook-path-relative', '/hooks/prestart/0/path', 'must be an absolute path', (c) => (c.hooks = { prestart: [{ path: 'bin/hook' }] }));
both('hook-path-missing-file', '/hooks/poststop/0/path', '/no/such/hook does not exist', (c) => (c.hooks = { poststop: [{ path: '/no/such/hook' }] }));
add('hook-path-directory', 'v1', '/hooks/createRuntime/0/path', '/tmp is not a regular file', (c) => (c.hooks = { createRuntime: [{ path: '/tmp' }] }));
both('hook-path-not-executable', '/hooks/poststart/0/path', '/etc/passwd is not executable', (c) => (c.hooks = { poststart: [{ path: '/etc/passwd' }] }));
add('hook-start-container-relative', 'v1', '/hooks/startContainer/0/path', 'must be an absolute path', (c) => (c.hooks = { startContainer: [{ path: 'hook' }] }));
// config-linux.md "Namespaces"
both('namespace-given-twice', '/linux/namespaces/5/type', 'namespace "uts" is given twice', (c) => c.linux.namespaces.splice(5, 0, { type: 'uts' }));
add('namespace-created-and-joined', 'v1', '/linux/namespaces/6/type', 'namespace "network" is given twice', (c) => c.linux.namespaces.push({ type: 'network', path: '/proc/1/ns/net' }));
add('namespace-path-relative', 'v1', '/linux/namespaces/4/path', 'must be an absolute path', (c) => (c.linux.namespaces[4].path = 'proc/1/ns/net'));
both('namespace-path-does-not-exist', '/linux/namespaces/4/path', '/proc/999999999/ns/net does not exist', (c) => (c.linux.namespaces[4].path = '/proc/999999999/ns/net'));
both('namespace-path-not-a-namespace', '/linux/namespaces/1/path', '/etc/passwd is not a namespace file', (c) => (c.linux.namespaces[1].path = '/etc/passwd'));
both('namespace-path-wrong-type', '/linux/namespaces/1/path', 'is a namespace of type network', (c) => (c.linux.namespaces[1].path = '/proc/self/ns/net'));
add('namespace-path-directory', 'v1', '/linux/namespaces/0/path', '/proc/self/ns is not a namespace file', (c) => (c.linux.namespaces[0].path = '/proc/self/ns'));
// config-linux.md "User namespace mappings"
both('uid-mappings-without-userns', '/linux/uidMappings', 'id mappings need a user namespace', (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]));
add('gid-mappings-without-userns', 'v1', '/linux/gidMappings', 'id mappings need a user namespace', (c) => (c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]));
add('draft-mappings-with-joined-userns', 'draft', '/linux/uidMappings', 'the user namespace is joined by path', (c) => {
  c.linux.namespaces.push({ type: 'user', path: '/proc/1/ns/user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
});
const userns = (uid: Json[], gid: Json[] = [{ containerID: 0, hostID: 100000, size: 65536 }]) => (c: Json) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = uid;
  c.linux.gidMappings = gid;
};
both('uid-mapping-size-zero', '/linux/uidMappings/0/size', 'maps no ids', userns([{ containerID: 0, hostID: 100000, size: 0 }, { containerID: 0, hostID: 100000, size: 65536 }]));
add('uid-mapping-past-largest-id', 'v1', '/linux/uidMappings/0/size', 'hostID 4294967000 plus size 65536 passes', userns([{ containerID: 0, hostID: 4294967000, size: 65536 }]));
both('uid-mappings-overlap-container', '/linux/uidMappings/1', 'its container ids overlap those of linux.uidMappings[0]', userns([{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 500, hostID: 300000, size: 1000 }]));
add('gid-mappings-overlap-host', 'v1', '/linux/gidMappings/1', 'its host ids overlap those of linux.gidMappings[0]', userns([{ containerID: 0, hostID: 100000, size: 65536 }], [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 100500, size: 1000 }]));
add('uid-mappings-too-many', 'v1', '/linux/uidMappings', '341 entries: Linux takes at most 340', userns(Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 100000 + i, size: 1 })), [{ containerID: 0, hostID: 100000, size: 341 }]));
both('process-uid-not-mapped', '/process/user/uid', 'uid 0 is not mapped in the user namespace', userns([{ containerID: 1, hostID: 100000, size: 65535 }]));
add('process-gid-not-mapped', 'v1', '/process/user/gid', 'gid 0 is not mapped', userns([{ containerID: 0, hostID: 100000, size: 65536 }], [{ containerID: 1000, hostID: 100000, size: 1 }]));
add('process-additional-gid-not-mapped', 'v1', '/process/user/additionalGids/0', 'gid 70000 is not mapped', (c) => {
  userns([{ containerID: 0, hostID: 100000, size: 65536 }])(c);
  c.process.user.additionalGids = [70000];
});
// config-linux.md "Offset for Time Namespace"
add('time-offsets-without-timens', 'v1', '/linux/timeOffsets', 'needs a new time namespace', (c) => (c.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 } }));
add('time-offsets-joined-timens', 'v1', '/linux/timeOffsets', 'needs a new time namespace', (c) => {
  c.linux.namespaces.push({ type: 'time', path: '/proc/1/ns/time' });
  c.linux.timeOffsets = { boottime: { secs: 1 } };
});
add('time-offsets-unknown-clock', 'v1', '/linux/timeOffsets/realtime', '"realtime" is not a clock a time namespace offsets', (c) => {
  c.linux.namespaces.push({ type: 'time' });
  c.linux.timeOffsets = { realtime: { secs: 1 } };
});
add('time-offsets-nanosecs-too-big', 'v1', '/linux/timeOffsets/monotonic/nanosecs', 'must be less than 1000000000', (c) => {
  c.linux.namespaces.push({ type: 'time' });
  c.linux.timeOffsets = { monotonic: { secs: 1, nanosecs: 1000000000 } };
});
// config-linux.md "Devices"
both('device-path-relative', '/linux/devices/0/path', 'must be the full path inside the container', (c) => (c.linux.devices = [{ path: 'dev/fuse', type: 'c', major: 10, minor: 229 }]));
add('device-major-negative', 'v1', '/linux/devices/0/major', '-1 is negative', (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: -1, minor: 229 }]));
both('device-major-too-big', '/linux/devices/0/major', "more than Linux's largest major number, 4095", (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 4096, minor: 229 }]));
add('device-minor-too-big', 'v1', '/linux/devices/0/minor', "more than Linux's largest minor number, 1048575", (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 1048576 }]));
both('device-same-path-twice', '/linux/devices/1/path', '/dev/fuse is also the path of linux.devices[0], a different device', (c) => (c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }, { path: '/dev/fuse', type: 'b', major: 8, minor: 0 }]));
// config-linux.md "Sysctl"
both('sysctl-not-namespaced', '/linux/sysctl/kernel.panic', 'not namespaced', (c) => (c.linux.sysctl = { 'kernel.panic': '10' }));
add('sysctl-vm-not-namespaced', 'v1', '/linux/sysctl/vm.swappiness', 'not namespaced', (c) => (c.linux.sysctl = { 'vm.swappiness': '10' }));
both('sysctl-net-without-netns', '/linux/sysctl/net.ipv4.ip_forward', 'needs a network namespace', (c) => {
  c.linux.namespaces = c.linux.namespaces.filter((n: Json) => n.type !== 'network');
  c.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
});
add('sysctl-ipc-without-ipcns', 'v1', '/linux/sysctl/kernel.shmmax', 'needs a ipc namespace', (c) => {
  c.linux.namespaces = c.linux.namespaces.filter((n: Json) => n.type !== 'ipc');
  c.linux.sysctl = { 'kernel.shmmax': '4096' };
});
add('sysctl-mqueue-slash-form-without-ipcns', 'v1', '/linux/sysctl/fs~1mqueue~1msg_max', 'needs a ipc namespace', (c) => {
  c.linux.namespaces = c.linux.namespaces.filter((n: Json) => n.type !== 'ipc');
  c.linux.sysctl = { 'fs/mqueue/msg_max': '20' };
});
// config-linux.md "Masked Paths" and "Readonly Paths"
add('masked-path-relative', 'v1', '/linux/maskedPaths/1', 'must be an absolute path', (c) => (c.linux.maskedPaths = ['/proc/kcore', 'proc/keys']));
add('readonly-path-relative', 'v1', '/linux/readonlyPaths/0', 'must be an absolute path', (c) => (c.linux.readonlyPaths = ['proc/sys']));
// config-linux.md "Seccomp"
add('seccomp-default-errno-with-allow', 'v1', '/linux/seccomp/defaultErrnoRet', '"SCMP_ACT_ALLOW" takes no errno', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 }));
add('seccomp-rule-errno-with-kill', 'v1', '/linux/seccomp/syscalls/0/errnoRet', '"SCMP_ACT_KILL" takes no errno', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }));
add('seccomp-arg-index-too-big', 'v1', '/linux/seccomp/syscalls/0/args/0/index', 'is not an argument index', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 8, op: 'SCMP_CMP_EQ' }] }] }));
add('seccomp-listener-metadata-without-path', 'v1', '/linux/seccomp/listenerMetadata', 'set without listenerPath', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' }));
add('draft-seccomp-action-unknown', 'draft', '/linux/seccomp/defaultAction', 'must be one of SCMP_ACT_KILL, SCMP_ACT_TRAP', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_LOG' }));
add('draft-seccomp-arch-unknown', 'draft', '/linux/seccomp/architectures/0', 'must be one of SCMP_ARCH_X86', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_RISCV64'] }));

// ---- the draft's own shape (draft config.md "Platform") -----------------------------------------

add('draft-platform-missing', 'draft', '', '"platform" is required', (c) => delete c.platform);
add('draft-platform-os-missing', 'draft', '/platform', '"os" is required', (c) => delete c.platform.os);
add('draft-platform-arch-number', 'draft', '/platform/arch', 'must be a string', (c) => (c.platform.arch = 64));
add('draft-platform-string', 'draft', '/platform', 'must be an object', (c) => (c.platform = 'linux/amd64'));


/** The corpus as files: NNN-name/{config.json, expected.json, rootfs/.keep}. */
function write(cases: Case[]): string[] {
  rmSync(CORPUS, { recursive: true, force: true });
  const dirs: string[] = [];
  cases.forEach((k, i) => {
    const dir = join(CORPUS, `${String(i + 1).padStart(3, '0')}-${k.name}`);
    mkdirSync(join(dir, 'rootfs'), { recursive: true });
    writeFileSync(join(dir, 'rootfs', '.keep'), '');
    let text = k.raw;
    if (text === undefined) {
      const config = structuredClone(BASE[k.base]);
      k.edit!(config);
      text = JSON.stringify(config, null, 2) + '\n';
    }
    if (text !== null) writeFileSync(join(dir, 'config.json'), text);
    writeFileSync(join(dir, 'expected.json'), JSON.stringify({ pointer: k.pointer, message: k.message }, null, 2) + '\n');
    dirs.push(dir);
  });
  return dirs;
}

/** Each bundle must give its expected finding as an error; prints the ones that do not. */
function check(dirs: string[]): number {
  let bad = 0;
  for (const dir of dirs) {
    const want = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { pointer: string; message: string };
    const { findings } = validateBundle(dir);
    if (findings.some((f) => f.severity === 'error' && f.pointer === want.pointer && f.message.includes(want.message))) continue;
    bad++;
    console.error(`${dir.slice(CORPUS.length + 1)}: want ${JSON.stringify(want)}, got:`);
    for (const f of findings) console.error(`  ${f.severity} ${JSON.stringify(f.pointer)}: ${f.message}`);
  }
  return bad;
}

const names = new Set<string>();
for (const k of CASES) {
  if (names.has(k.name)) throw new Error(`duplicate case name ${k.name}`);
  names.add(k.name);
}
const dirs = write(CASES);
const bad = check(dirs);
console.log(`${dirs.length} invalid bundles in ${CORPUS}${bad ? `; ${bad} do not give their expected finding` : ''}`);
process.exitCode = bad ? 1 : 0;
