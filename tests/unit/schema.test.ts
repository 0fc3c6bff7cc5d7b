// The JSON Schemas (src/spec/schema/*.schema.json) through their compiled validators: the sample
// bundles and a runc-spec-style config are valid, broken configs give one clear finding each at the
// right pointer, unknown properties pass (config.md "Extensibility"), state documents of both
// editions, every schema description names a real spec section, and nothing compiles a schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test, vi } from 'vitest';
import { headingTitle } from '../../conformance/catalogue/extract.ts';
import { schemaFindings, type SchemaKind } from '../../src/spec/schema/index.ts';
import * as configDraft from '../../src/spec/schema/generated/config-draft.js';
import * as configV1 from '../../src/spec/schema/generated/config-v1.js';
import type { ReferenceNode } from '../../src/spec/schema/generated/config-v1.js';
import * as stateDraft from '../../src/spec/schema/generated/state-draft.js';
import * as stateV1 from '../../src/spec/schema/generated/state-v1.js';

// If anything on the way to the validators imported ajv's compiler, these factories would run.
const loaded = vi.hoisted(() => ({ modules: [] as string[] }));
vi.mock('ajv', () => (loaded.modules.push('ajv'), {}));
vi.mock('ajv/dist/ajv.js', () => (loaded.modules.push('ajv/dist/ajv.js'), {}));
vi.mock('ajv/dist/2020.js', () => (loaded.modules.push('ajv/dist/2020.js'), {}));
vi.mock('ajv/dist/core.js', () => (loaded.modules.push('ajv/dist/core.js'), {}));
vi.mock('ajv/dist/standalone/index.js', () => (loaded.modules.push('ajv/dist/standalone'), {}));

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA_DIR = join(repo, 'src', 'spec', 'schema');
const specDir = process.env.OCI_SPEC_DIR ?? join(repo, 'spec');

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
const clone = <T>(v: T): T => structuredClone(v);

const bundleConfig = (name: string): Json => readJson(join(repo, 'bundles', name, 'config.json'));
const configKind = (config: Json): SchemaKind => (String(config.ociVersion).startsWith('0.') ? 'config-draft' : 'config-v1');

/** What `runc spec` writes (runc 1.1.5), filled out with every Linux section v1.3.0 defines. */
const RUNC_STYLE: Json = {
  ociVersion: '1.0.2-dev',
  process: {
    terminal: true,
    consoleSize: { height: 25, width: 80 },
    user: { uid: 0, gid: 0, umask: 18, additionalGids: [5, 6] },
    args: ['sh'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    cwd: '/',
    capabilities: {
      bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      ambient: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
    },
    rlimits: [
      { type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 },
      { type: 'RLIMIT_CORE', hard: 18446744073709551615, soft: 0 },
    ],
    noNewPrivileges: true,
    oomScoreAdj: -500,
    scheduler: { policy: 'SCHED_BATCH', nice: 5, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
    ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
    execCPUAffinity: { initial: '7', final: '0-3,7' },
    apparmorProfile: 'acme_secure_profile',
    selinuxLabel: 'system_u:system_r:svirt_lxc_net_t:s0:c124,c675',
  },
  root: { path: 'rootfs', readonly: true },
  hostname: 'runc',
  domainname: 'example.test',
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    {
      destination: '/data',
      type: 'none',
      source: '/srv/data',
      options: ['rbind', 'idmap'],
      uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    },
  ],
  hooks: {
    createRuntime: [{ path: '/usr/bin/setup-network', args: ['setup-network', 'eth0'], env: ['A=1'], timeout: 5 }],
    poststop: [{ path: '/usr/sbin/cleanup.sh' }],
  },
  annotations: { 'com.example.key': 'value', 'org.opencontainers.image.os': 'linux', 'com.example.empty': '' },
  linux: {
    uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    timeOffsets: { monotonic: { secs: 172800, nanosecs: 0 }, boottime: { secs: -5 } },
    devices: [
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0 },
      { path: '/dev/fifo', type: 'p' },
    ],
    netDevices: { eth0: { name: 'container_eth0' }, eth1: {} },
    cgroupsPath: '/myRuntime/myContainer',
    resources: {
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      ],
      memory: { limit: 536870912, reservation: 536870912, swap: -1, kernel: -1, kernelTCP: -1, swappiness: 0, disableOOMKiller: false },
      cpu: { shares: 1024, quota: -1, burst: 0, period: 100000, realtimeRuntime: 950000, realtimePeriod: 1000000, cpus: '2-3', mems: '0-7', idle: 0 },
      blockIO: {
        weight: 10,
        leafWeight: 10,
        weightDevice: [{ major: 8, minor: 0, weight: 500, leafWeight: 300 }, { major: 8, minor: 16, weight: 500 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
        throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
      },
      hugepageLimits: [{ pageSize: '2MB', limit: 9223372036854772000 }, { pageSize: '64KB', limit: 1000000 }],
      network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }] },
      pids: { limit: -1 },
      rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, rxe3: { hcaObjects: 10000 } },
      unified: { 'io.max': '259:0 rbps=2097152', 'memory.high': 'max' },
    },
    intelRdt: { closID: 'guaranteed_group', memBwSchema: 'MB:0=20;1=70', schemata: ['L3:0=7f0;1=1f'], enableMonitoring: true },
    memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '2-3', flags: ['MPOL_F_STATIC_NODES'] },
    sysctl: { 'net.ipv4.ip_forward': '1' },
    seccomp: {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      listenerPath: '/run/seccomp-agent.sock',
      listenerMetadata: 'MKNOD=/dev/null',
      syscalls: [
        { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
        { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
      ],
    },
    namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' }, { type: 'cgroup' }, { type: 'time' }],
    rootfsPropagation: 'private',
    maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
    readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    mountLabel: 'system_u:object_r:svirt_sandbox_file_t:s0:c715,c811',
    personality: { domain: 'LINUX32', flags: [] },
  },
  // Other platforms' sections are accepted as objects.
  solaris: { milestone: 'svc:/milestone/container:default' },
  vm: { hypervisor: { path: '/usr/bin/qemu' } },
};

describe('valid configs', () => {
  test.each(['v1-basic', 'v1-userns', 'draft-basic', 'draft-autoremove'])('sample bundle %s is valid for its edition', (name) => {
    const config = bundleConfig(name);
    expect(schemaFindings(config, configKind(config))).toEqual([]);
  });

  test('a runc-spec-style v1 config with every Linux section is valid', () => {
    expect(schemaFindings(RUNC_STYLE, 'config-v1')).toEqual([]);
  });

  test('a Windows config needs neither root nor process.args', () => {
    const config = { ociVersion: '1.3.0', process: { cwd: 'C:\\', commandLine: 'cmd.exe', user: { username: 'containeradministrator' } }, windows: {} };
    expect(schemaFindings(config, 'config-v1')).toEqual([]);
  });

  test('unknown properties pass, at every level (config.md "Extensibility")', () => {
    const v1 = clone(RUNC_STYLE);
    v1.futureTopLevel = { anything: [1, 2, 3] };
    v1.process.futureField = 7;
    v1.process.user.futureField = 'x';
    v1.linux.futureSection = {};
    v1.linux.namespaces[0].futureField = true;
    v1.linux.resources.futureController = { limit: 1 };
    v1.mounts[0].futureField = null;
    v1.hooks.futureHook = [{ path: '/x' }];
    expect(schemaFindings(v1, 'config-v1')).toEqual([]);
    const draft = bundleConfig('draft-basic');
    draft.platform.variant = 'v8';
    draft.root.futureField = 1;
    draft.linux.futureSection = 'x';
    expect(schemaFindings(draft, 'config-draft')).toEqual([]);
  });
});

interface Case {
  name: string;
  edit: (c: Json) => void;
  pointer: string;
  message: string;
  section?: string;
  fix?: string;
}

const V1_INVALID: Case[] = [
  { name: 'an unknown namespace type', edit: (c) => (c.linux.namespaces[1].type = 'net'), pointer: '/linux/namespaces/1/type', message: 'must be one of pid, network, mount, ipc, uts, user, cgroup, time', section: 'Namespaces', fix: 'use "network"' },
  { name: 'process without cwd', edit: (c) => delete c.process.cwd, pointer: '/process', message: '"cwd" is required', section: 'Process', fix: 'add process.cwd (a string)' },
  { name: 'process without args', edit: (c) => delete c.process.args, pointer: '/process', message: '"args" is required', section: 'Process' },
  { name: 'empty args', edit: (c) => (c.process.args = []), pointer: '/process/args', message: 'must not be empty', fix: 'add at least one entry' },
  { name: 'a quoted uid', edit: (c) => (c.process.user.uid = '0'), pointer: '/process/user/uid', message: 'must be an integer', section: 'POSIX-platform User', fix: 'write the number without quotes: 0' },
  { name: 'a negative gid', edit: (c) => (c.process.user.gid = -1), pointer: '/process/user/gid', message: 'must not be negative' },
  { name: 'a fractional negative uid (one finding, not two)', edit: (c) => (c.process.user.uid = -1.5), pointer: '/process/user/uid', message: 'must be an integer' },
  { name: 'user without uid', edit: (c) => delete c.process.user.uid, pointer: '/process/user', message: '"uid" is required', section: 'POSIX-platform User' },
  { name: 'no root', edit: (c) => delete c.root, pointer: '', message: '"root" is required', section: 'Root', fix: 'add root (an object)' },
  { name: 'root.path not a string', edit: (c) => (c.root.path = 42), pointer: '/root/path', message: 'must be a string', section: 'Root' },
  { name: 'ociVersion not SemVer', edit: (c) => (c.ociVersion = '1.0'), pointer: '/ociVersion', message: 'must be a SemVer 2.0.0 version, such as 1.3.0', section: 'Specification version' },
  { name: 'ociVersion missing', edit: (c) => delete c.ociVersion, pointer: '', message: '"ociVersion" is required', section: 'Specification version' },
  { name: 'a mount without destination', edit: (c) => delete c.mounts[2].destination, pointer: '/mounts/2', message: '"destination" is required', section: 'Mounts' },
  { name: 'mount options as a string', edit: (c) => (c.mounts[1].options = 'nosuid'), pointer: '/mounts/1/options', message: 'must be an array', fix: 'make it an array: ["nosuid"]' },
  { name: 'mount uidMappings without gidMappings', edit: (c) => delete c.mounts[7].gidMappings, pointer: '/mounts/7', message: '"uidMappings" is given without "gidMappings"', section: 'POSIX-platform Mounts', fix: 'add mounts[7].gidMappings, or remove mounts[7].uidMappings' },
  { name: 'an rlimit with a quoted soft limit', edit: (c) => (c.process.rlimits[0].soft = '1024'), pointer: '/process/rlimits/0/soft', message: 'must be an integer', section: 'POSIX process' },
  { name: 'an rlimit without hard', edit: (c) => delete c.process.rlimits[0].hard, pointer: '/process/rlimits/0', message: '"hard" is required', section: 'POSIX process' },
  { name: 'terminal as a string', edit: (c) => (c.process.terminal = 'true'), pointer: '/process/terminal', message: 'must be a boolean', fix: 'write true without quotes' },
  { name: 'capabilities as an array (the draft shape)', edit: (c) => (c.process.capabilities = ['CAP_KILL']), pointer: '/process/capabilities', message: 'must be an object', section: 'Linux Process' },
  { name: 'an unknown scheduler policy', edit: (c) => (c.process.scheduler.policy = 'SCHED_FIFOO'), pointer: '/process/scheduler/policy', message: 'must be one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE', fix: 'use "SCHED_FIFO"' },
  { name: 'ioPriority without class', edit: (c) => delete c.process.ioPriority.class, pointer: '/process/ioPriority', message: '"class" is required', section: 'Linux Process' },
  { name: 'a hook without path', edit: (c) => delete c.hooks.poststop[0].path, pointer: '/hooks/poststop/0', message: '"path" is required', section: 'POSIX-platform Hooks' },
  { name: 'a hook timeout of zero', edit: (c) => (c.hooks.createRuntime[0].timeout = 0), pointer: '/hooks/createRuntime/0/timeout', message: 'must be greater than 0' },
  { name: 'an empty annotation key', edit: (c) => (c.annotations[''] = 'x'), pointer: '/annotations', message: 'has an empty key', section: 'Annotations' },
  { name: 'an annotation value that is not a string', edit: (c) => (c.annotations['com.example.n'] = 2), pointer: '/annotations/com.example.n', message: 'must be a string', section: 'Annotations' },
  { name: 'an id mapping without size', edit: (c) => delete c.linux.uidMappings[0].size, pointer: '/linux/uidMappings/0', message: '"size" is required', section: 'User namespace mappings' },
  { name: 'a char device without major and minor (two findings)', edit: (c) => (c.linux.devices[0] = { type: 'c', path: '/dev/x' }), pointer: '/linux/devices/0', message: '"major" is required', section: 'Devices' },
  { name: 'an unknown device type', edit: (c) => (c.linux.devices[0].type = 'x'), pointer: '/linux/devices/0/type', message: 'must be one of c, b, u, p', section: 'Devices' },
  { name: 'a device-cgroup rule without allow', edit: (c) => delete c.linux.resources.devices[0].allow, pointer: '/linux/resources/devices/0', message: '"allow" is required', section: 'Allowed Device list' },
  { name: 'device-cgroup access with other letters', edit: (c) => (c.linux.resources.devices[1].access = 'rwx'), pointer: '/linux/resources/devices/1/access', message: 'must be made of the letters r, w and m' },
  { name: 'swappiness above 100', edit: (c) => (c.linux.resources.memory.swappiness = 101), pointer: '/linux/resources/memory/swappiness', message: 'must be at most 100', section: 'Memory' },
  { name: 'a weightDevice with neither weight', edit: (c) => (c.linux.resources.blockIO.weightDevice[1] = { major: 8, minor: 16 }), pointer: '/linux/resources/blockIO/weightDevice/1', message: 'needs at least one of "weight", "leafWeight"', section: 'Block IO' },
  { name: 'a hugepage size without its unit', edit: (c) => (c.linux.resources.hugepageLimits[0].pageSize = '2M'), pointer: '/linux/resources/hugepageLimits/0/pageSize', message: 'must be a size such as 64KB, 2MB or 1GB', section: 'Huge page limits' },
  { name: 'an rdma entry with no limit', edit: (c) => (c.linux.resources.rdma.mlx5_1 = {}), pointer: '/linux/resources/rdma/mlx5_1', message: 'needs at least one of "hcaHandles", "hcaObjects"', section: 'RDMA' },
  { name: 'a seccomp rule with no names', edit: (c) => (c.linux.seccomp.syscalls[0].names = []), pointer: '/linux/seccomp/syscalls/0/names', message: 'must not be empty', section: 'Seccomp' },
  { name: 'a misspelt seccomp action', edit: (c) => (c.linux.seccomp.defaultAction = 'SCMP_ACT_ALOW'), pointer: '/linux/seccomp/defaultAction', message: 'must be one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY', fix: 'use "SCMP_ACT_ALLOW"' },
  { name: 'listenerMetadata without listenerPath', edit: (c) => delete c.linux.seccomp.listenerPath, pointer: '/linux/seccomp', message: '"listenerMetadata" is given without "listenerPath"', section: 'Seccomp' },
  { name: 'a seccomp arg without op', edit: (c) => delete c.linux.seccomp.syscalls[1].args[0].op, pointer: '/linux/seccomp/syscalls/1/args/0', message: '"op" is required' },
  { name: 'an unknown rootfsPropagation', edit: (c) => (c.linux.rootfsPropagation = 'Private'), pointer: '/linux/rootfsPropagation', message: 'must be one of shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable', section: 'Rootfs Mount Propagation', fix: 'use "private"' },
  { name: 'maskedPaths as a string', edit: (c) => (c.linux.maskedPaths = '/proc/kcore'), pointer: '/linux/maskedPaths', message: 'must be an array', section: 'Masked Paths' },
  { name: 'a sysctl value that is a number', edit: (c) => (c.linux.sysctl['net.core.somaxconn'] = 256), pointer: '/linux/sysctl/net.core.somaxconn', message: 'must be a string', section: 'Sysctl' },
  { name: 'memBwSchema without its prefix', edit: (c) => (c.linux.intelRdt.memBwSchema = '0=20'), pointer: '/linux/intelRdt/memBwSchema', message: 'must start with "MB:" and hold no newline', section: 'IntelRdt' },
  { name: 'an unknown memory policy mode', edit: (c) => (c.linux.memoryPolicy.mode = 'interleave'), pointer: '/linux/memoryPolicy/mode', message: 'must be one of MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY, MPOL_LOCAL', section: 'Memory policy', fix: 'use "MPOL_INTERLEAVE"' },
  { name: 'a personality without domain', edit: (c) => delete c.linux.personality.domain, pointer: '/linux/personality', message: '"domain" is required', section: 'Personality' },
  { name: 'a time offset in a string', edit: (c) => (c.linux.timeOffsets.monotonic.secs = '1'), pointer: '/linux/timeOffsets/monotonic/secs', message: 'must be an integer', section: 'Offset for Time Namespace' },
  { name: 'a netDevice that is not an object', edit: (c) => (c.linux.netDevices.eth0 = 'eth1'), pointer: '/linux/netDevices/eth0', message: 'must be an object', section: 'Network Devices' },
  { name: 'windows that is not an object', edit: (c) => (c.windows = true), pointer: '/windows', message: 'must be an object', section: 'Platform-specific configuration' },
];

describe('invalid v1 configs: one finding each, at the right pointer', () => {
  test.each(V1_INVALID)('$name', ({ edit, pointer, message, section, fix }) => {
    const config = clone(RUNC_STYLE);
    edit(config);
    const findings = schemaFindings(config, 'config-v1');
    expect(findings.length).toBeGreaterThan(0);
    const [first] = findings;
    expect({ pointer: first!.pointer, message: first!.message }).toEqual({ pointer, message });
    expect(first!.severity).toBe('error');
    expect(first!.reference.file).toMatch(/^v1\.3\.0\/(config|config-linux)\.md$/);
    if (section) expect(first!.reference.section).toBe(section);
    if (fix) expect(first!.fix).toBe(fix);
    // One finding per problem: every case here breaks one rule, except the device with two numbers.
    expect(findings).toHaveLength(pointer === '/linux/devices/0' && message.includes('major') ? 2 : 1);
  });

  test('a config that is not an object', () => {
    for (const doc of [null, [], 'x', 3]) {
      expect(schemaFindings(doc, 'config-v1')).toEqual([
        { pointer: '', message: 'must be an object', severity: 'error', reference: { file: 'v1.3.0/config.md', section: 'Configuration' }, fix: 'make it an object' },
      ]);
    }
  });

  test('process of the wrong type is said once, though two subschemas check it', () => {
    const config = clone(RUNC_STYLE);
    config.process = 'sh';
    expect(schemaFindings(config, 'config-v1').map((f) => [f.pointer, f.message])).toEqual([['/process', 'must be an object']]);
  });

  test('several problems give several findings, in document order', () => {
    const config = clone(RUNC_STYLE);
    config.process.user.uid = 'root';
    config.linux.namespaces[0].type = 'pids';
    config.linux.resources.memory.limit = '1G';
    expect(schemaFindings(config, 'config-v1').map((f) => f.pointer)).toEqual([
      '/process/user/uid',
      '/linux/resources/memory/limit',
      '/linux/namespaces/0/type',
    ]);
  });

  test('thousands of bad entries give one finding each', () => {
    const config = clone(RUNC_STYLE);
    config.mounts = Array.from({ length: 20000 }, () => ({ type: 'tmpfs' }));
    const findings = schemaFindings(config, 'config-v1');
    expect(findings).toHaveLength(20000);
    expect(findings[19999]).toMatchObject({ pointer: '/mounts/19999', message: '"destination" is required' });
  });

  test('a pointer escapes "/" and "~" in keys (RFC 6901)', () => {
    const config = clone(RUNC_STYLE);
    config.annotations['a/b~c'] = 1;
    expect(schemaFindings(config, 'config-v1')[0]!.pointer).toBe('/annotations/a~1b~0c');
  });
});

const DRAFT_INVALID: Case[] = [
  { name: 'no platform', edit: (c) => delete c.platform, pointer: '', message: '"platform" is required', section: 'Platform', fix: 'add platform (an object)' },
  { name: 'platform without arch', edit: (c) => delete c.platform.arch, pointer: '/platform', message: '"arch" is required', section: 'Platform' },
  { name: 'autoremove as a string', edit: (c) => (c.root.autoremove = 'yes'), pointer: '/root/autoremove', message: 'must be a boolean', section: 'Root Configuration' },
  { name: 'a mount without type (required in the draft)', edit: (c) => delete c.mounts[0].type, pointer: '/mounts/0', message: '"type" is required', section: 'Mounts' },
  { name: 'capabilities as an object (the v1 shape)', edit: (c) => (c.process.capabilities = { bounding: [] }), pointer: '/process/capabilities', message: 'must be an array', section: 'Process configuration' },
  { name: 'the cgroup namespace, unknown to the draft', edit: (c) => (c.linux.namespaces[0].type = 'cgroup'), pointer: '/linux/namespaces/0/type', message: 'must be one of pid, network, mount, ipc, uts, user', section: 'Namespaces' },
  { name: 'a seccomp rule with v1 "names"', edit: (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO' }] }), pointer: '/linux/seccomp/syscalls/0', message: '"name" is required', section: 'seccomp' },
  { name: 'a v1.3.0-only seccomp action', edit: (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_LOG' }), pointer: '/linux/seccomp/defaultAction', message: 'must be one of SCMP_ACT_KILL, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW' },
  { name: 'a negative memory limit (uint64 in the draft)', edit: (c) => (c.linux.resources = { memory: { limit: -1 } }), pointer: '/linux/resources/memory/limit', message: 'must not be negative', section: 'Memory' },
  { name: 'a blkio weight out of 10..1000', edit: (c) => (c.linux.resources = { blockIO: { blkioWeight: 5 } }), pointer: '/linux/resources/blockIO/blkioWeight', message: 'must be at least 10', section: 'Block IO Controller' },
  { name: 'pids without limit', edit: (c) => (c.linux.resources = { pids: {} }), pointer: '/linux/resources/pids', message: '"limit" is required', section: 'PIDs' },
  { name: 'a prestart hook without path', edit: (c) => (c.hooks = { prestart: [{ args: ['x'] }] }), pointer: '/hooks/prestart/0', message: '"path" is required', section: 'Hooks' },
  { name: 'user without gid', edit: (c) => delete c.process.user.gid, pointer: '/process/user', message: '"gid" is required', section: 'Linux and Solaris User' },
];

describe('invalid draft configs', () => {
  test.each(DRAFT_INVALID)('$name', ({ edit, pointer, message, section, fix }) => {
    const config = bundleConfig('draft-basic');
    edit(config);
    const findings = schemaFindings(config, 'config-draft');
    expect(findings.map((f) => [f.pointer, f.message])).toEqual([[pointer, message]]);
    expect(findings[0]!.reference.file).toMatch(/^draft\//);
    if (section) expect(findings[0]!.reference.section).toBe(section);
    if (fix) expect(findings[0]!.fix).toBe(fix);
  });

  test('the draft device-cgroup rule takes null for "all"', () => {
    const config = bundleConfig('draft-basic');
    config.linux.resources = { devices: [{ allow: false, type: null, major: null, minor: null, access: 'rwm' }] };
    expect(schemaFindings(config, 'config-draft')).toEqual([]);
  });

  test('a v1 config is not a draft config', () => {
    const kinds = schemaFindings(bundleConfig('v1-basic'), 'config-draft').map((f) => f.message);
    expect(kinds).toContain('"platform" is required');
    expect(kinds).toContain('must be one of pid, network, mount, ipc, uts, user'); // the cgroup namespace
  });
});

describe('state documents', () => {
  // What `ocirt state` prints (src/lifecycle/query.ts): both editions' fields, and more.
  const ocirtState = (status: string, pid: number) => ({
    ociVersion: '1.3.0',
    id: 'c1',
    status,
    pid,
    bundle: '/containers/c1',
    bundlePath: '/containers/c1',
    rootfs: '/containers/c1/rootfs',
    created: '2016-05-05T12:00:00Z',
    owner: '',
    annotations: { 'com.example.k': 'v' },
  });

  test.each([
    ['creating', 0],
    ['created', 4422],
    ['running', 4422],
    ['stopped', 0],
  ])("ocirt's state when %s is valid for both editions", (status, pid) => {
    expect(schemaFindings(ocirtState(status, pid), 'state-v1')).toEqual([]);
    expect(schemaFindings(ocirtState(status, pid), 'state-draft')).toEqual([]);
  });

  test("the spec's examples are valid", () => {
    const v1 = { ociVersion: '0.2.0', id: 'oci-container1', status: 'running', pid: 4422, bundle: '/containers/redis', annotations: { myKey: 'myValue' } };
    expect(schemaFindings(v1, 'state-v1')).toEqual([]);
    const draft = { ociVersion: '0.2.0', id: 'oci-container1', pid: 4422, bundlePath: '/containers/redis' };
    expect(schemaFindings(draft, 'state-draft')).toEqual([]);
  });

  test('a stopped v1 container needs no pid; a created or running one does', () => {
    const stopped = { ociVersion: '1.3.0', id: 'c', status: 'stopped', bundle: '/b' };
    expect(schemaFindings(stopped, 'state-v1')).toEqual([]);
    for (const status of ['created', 'running']) {
      expect(schemaFindings({ ...stopped, status }, 'state-v1')).toEqual([
        { pointer: '', message: '"pid" is required', severity: 'error', reference: { file: 'v1.3.0/runtime.md', section: 'State' }, fix: 'add pid (an integer)' },
      ]);
    }
  });

  test('runtime-defined status values are allowed (runtime.md "State": additional values MAY be defined)', () => {
    expect(schemaFindings({ ociVersion: '1.3.0', id: 'c', status: 'paused', pid: 1, bundle: '/b' }, 'state-v1')).toEqual([]);
  });

  test.each<[string, Json, string, string]>([
    ['no status', { ociVersion: '1.3.0', id: 'c', bundle: '/b' }, '', '"status" is required'],
    ['no bundle (only the draft bundlePath)', { ociVersion: '1.3.0', id: 'c', status: 'stopped', bundlePath: '/b' }, '', '"bundle" is required'],
    ['an empty id', { ociVersion: '1.3.0', id: '', status: 'stopped', bundle: '/b' }, '/id', 'must not be empty'],
    ['a string pid', { ociVersion: '1.3.0', id: 'c', status: 'running', pid: '42', bundle: '/b' }, '/pid', 'must be an integer'],
    ['a status that is not a string', { ociVersion: '1.3.0', id: 'c', status: 1, bundle: '/b' }, '/status', 'must be a string'],
    ['an annotation that is not a string', { ociVersion: '1.3.0', id: 'c', status: 'stopped', bundle: '/b', annotations: { k: true } }, '/annotations/k', 'must be a string'],
  ])('invalid v1 state: %s', (_name, doc, pointer, message) => {
    expect(schemaFindings(doc, 'state-v1').map((f) => [f.pointer, f.message])).toEqual([[pointer, message]]);
  });

  test.each<[string, Json, string, string]>([
    ['no bundlePath (only the v1 bundle)', { ociVersion: '0.6.0-dev', id: 'c', pid: 1, bundle: '/b' }, '', '"bundlePath" is required'],
    ['no pid', { ociVersion: '0.6.0-dev', id: 'c', bundlePath: '/b' }, '', '"pid" is required'],
    ['a negative pid', { ociVersion: '0.6.0-dev', id: 'c', pid: -1, bundlePath: '/b' }, '/pid', 'must not be negative'],
    ['an id that is a number', { ociVersion: '0.6.0-dev', id: 7, pid: 1, bundlePath: '/b' }, '/id', 'must be a string'],
  ])('invalid draft state: %s', (_name, doc, pointer, message) => {
    const findings = schemaFindings(doc, 'state-draft');
    expect(findings.map((f) => [f.pointer, f.message])).toEqual([[pointer, message]]);
    expect(findings[0]!.reference).toEqual({ file: 'draft/runtime.md', section: 'State' });
  });
});

describe('spec references', () => {
  const trees: Record<SchemaKind, ReferenceNode> = {
    'config-v1': configV1.references,
    'config-draft': configDraft.references,
    'state-v1': stateV1.references,
    'state-draft': stateDraft.references,
  };
  const descriptionsOf = (node: ReferenceNode, out = new Set<string>()): Set<string> => {
    if (node.d) out.add(node.d);
    for (const child of [...Object.values(node.p ?? {}), node.i, node.a]) if (child) descriptionsOf(child, out);
    return out;
  };

  test('every schema node that matters says where in the spec it comes from', () => {
    for (const tree of Object.values(trees)) {
      expect(tree.d).toMatch(/^[a-z-]+\.md#.+/);
      for (const d of descriptionsOf(tree)) expect(d).toMatch(/^[a-z-]+\.md#[^#]+$/);
    }
  });

  test.skipIf(!existsSync(specDir))('every description names a heading of the spec file it cites', () => {
    for (const [kind, tree] of Object.entries(trees)) {
      const dir = kind.endsWith('draft') ? 'draft' : 'v1.3.0';
      for (const d of descriptionsOf(tree)) {
        const [file, section] = d.split('#') as [string, string];
        const headings = readFileSync(join(specDir, dir, file), 'utf8')
          .split('\n')
          .filter((l) => /^#{1,6}\s/.test(l))
          .map(headingTitle);
        expect(headings, `${kind}: ${d}`).toContain(section);
      }
    }
  });

  test.skipIf(!existsSync(specDir))("the spec's own full config.json examples are valid", () => {
    for (const [dir, kind] of [['v1.3.0', 'config-v1'], ['draft', 'config-draft']] as const) {
      const text = readFileSync(join(specDir, dir, 'config.md'), 'utf8');
      const example = /## Configuration Schema Example[\s\S]*?```json\n([\s\S]*?)```/.exec(text)![1]!;
      expect(schemaFindings(JSON.parse(example), kind)).toEqual([]);
    }
  });
});

describe('no schema is compiled at start-up', () => {
  test('importing and running the validators loads none of ajv but its runtime helpers', () => {
    expect(schemaFindings(RUNC_STYLE, 'config-v1')).toEqual([]);
    expect(schemaFindings({ annotations: { '': 'x' } }, 'config-v1').length).toBeGreaterThan(0); // minLength's ucs2length
    expect(loaded.modules).toEqual([]);
  });

  test('the generated modules import only ajv/dist/runtime/* and ajv-formats/dist/formats', () => {
    const generated = join(SCHEMA_DIR, 'generated');
    const modules = readdirSync(generated).filter((f) => f.endsWith('.js'));
    expect(modules.sort()).toEqual(['config-draft.js', 'config-v1.js', 'state-draft.js', 'state-v1.js']);
    for (const file of modules) {
      const code = readFileSync(join(generated, file), 'utf8');
      expect(code, file).not.toMatch(/\brequire\(/);
      expect(code, file).not.toMatch(/\.concat\(/); // compile-schemas.ts appendInPlace: errors gathered in linear time
      for (const [, spec] of code.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        expect(spec, file).toMatch(/^(ajv\/dist\/runtime\/[a-z0-9]+\.js|ajv-formats\/dist\/formats\.js)$/);
      }
    }
  });

  test('index.ts imports only the generated validators and the findings types', () => {
    const code = readFileSync(join(SCHEMA_DIR, 'index.ts'), 'utf8');
    const specs = [...code.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    for (const spec of specs) expect(spec).toMatch(/^(\.\.\/findings\.ts|\.\/generated\/[a-z0-9-]+\.js)$/);
  });
});
