// src/plan/sysctl.ts: config-linux.md "Sysctl", written under the container's /proc/sys after
// pivot_root; only keys of a namespace that is the container's own (made or joined), as runc allows.
import { describe, expect, it } from 'vitest';
import { namespaceSet } from '../../src/plan/namespaces.ts';
import { sysctlSteps } from '../../src/plan/sysctl.ts';

const ns = (...types: Array<string | [string, string]>) =>
  namespaceSet({ namespaces: types.map((t) => (typeof t === 'string' ? { type: t } : { type: t[0], path: t[1] })) });
const all = ns('mount', 'network', 'ipc', 'uts');
const writes = (sysctl: unknown, set = all) => sysctlSteps(sysctl, set).map((s) => s.args);

describe('namespaced keys', () => {
  it('each becomes a WRITE_AT of /proc/sys/…, in the config\'s order, labelled with its key', () => {
    const s = sysctlSteps({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '4096', 'kernel.hostname': 'h' }, all);
    expect(s).toEqual([
      { op: 'WRITE_AT', args: ['/proc/sys/net/ipv4/ip_forward', '1'], label: 'linux.sysctl["net.ipv4.ip_forward"]' },
      { op: 'WRITE_AT', args: ['/proc/sys/kernel/shmmax', '4096'], label: 'linux.sysctl["kernel.shmmax"]' },
      { op: 'WRITE_AT', args: ['/proc/sys/kernel/hostname', 'h'], label: 'linux.sysctl["kernel.hostname"]' },
    ]);
  });
  it('the ipc keys, fs.mqueue.*, net.* and the uts names', () => {
    const ipc = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced', 'fs.mqueue.queues_max'];
    expect(writes(Object.fromEntries(ipc.map((k) => [k, '1'])), ns('mount', 'ipc')).map((a) => a[0])).toEqual(ipc.map((k) => `/proc/sys/${k.replaceAll('.', '/')}`));
    expect(writes({ 'net.core.somaxconn': '256' }, ns('mount', 'network'))).toEqual([['/proc/sys/net/core/somaxconn', '256']]);
    expect(writes({ 'kernel.domainname': 'd' }, ns('mount', 'uts'))).toEqual([['/proc/sys/kernel/domainname', 'd']]);
  });
  it('accepts the "/" form of a key (sysctl(8))', () => {
    expect(sysctlSteps({ 'net/ipv4/ip_forward': '1' }, all)).toEqual([
      { op: 'WRITE_AT', args: ['/proc/sys/net/ipv4/ip_forward', '1'], label: 'linux.sysctl["net/ipv4/ip_forward"]' },
    ]);
  });
  it('a joined namespace is the container\'s own too', () => {
    expect(writes({ 'net.ipv4.ip_forward': '1' }, ns('mount', ['network', '/run/netns/x']))).toEqual([['/proc/sys/net/ipv4/ip_forward', '1']]);
  });
  it('none, no steps', () => {
    expect(sysctlSteps(undefined, all)).toEqual([]);
    expect(sysctlSteps(null, all)).toEqual([]);
    expect(sysctlSteps({}, all)).toEqual([]);
  });
});

describe('refused, naming the key', () => {
  it('a key of a namespace the container does not have: it would change the host\'s', () => {
    expect(() => sysctlSteps({ 'net.ipv4.ip_forward': '1' }, ns('mount'))).toThrow('linux.sysctl["net.ipv4.ip_forward"]: needs a network namespace in linux.namespaces');
    expect(() => sysctlSteps({ 'kernel.sem': '1' }, ns('mount', 'network'))).toThrow('linux.sysctl["kernel.sem"]: needs a ipc namespace in linux.namespaces');
    expect(() => sysctlSteps({ 'kernel.hostname': 'h' }, ns('mount'))).toThrow('linux.sysctl["kernel.hostname"]: needs a uts namespace in linux.namespaces');
  });
  it('a key no namespace holds', () => {
    for (const key of ['kernel.pid_max', 'vm.swappiness', 'fs.file-max', 'kernel.shm_next_id_x', 'kernel.msgmax2']) {
      expect(() => sysctlSteps({ [key]: '1' }, all)).toThrow(`linux.sysctl[${JSON.stringify(key)}]: not namespaced: setting it would change the host`);
    }
  });
  it('a key that is not a sysctl name, such as one that climbs out of /proc/sys', () => {
    for (const key of ['net/../../x', 'net/../../../etc/passwd', '../net.ipv4', 'net..ipv4', 'net.ipv4.', '.net.ipv4', 'net', 'net.ipv4/ip forward', 'net.ipv4.ip_forward\n', '']) {
      expect(() => sysctlSteps({ [key]: '1' }, all)).toThrow(`linux.sysctl[${JSON.stringify(key)}]: not a sysctl name`);
    }
  });
  it('a value that is not a string, and a sysctl that is not an object', () => {
    expect(() => sysctlSteps({ 'net.ipv4.ip_forward': 1 }, all)).toThrow('linux.sysctl["net.ipv4.ip_forward"]: must be a string');
    expect(() => sysctlSteps(['net.ipv4.ip_forward=1'], all)).toThrow('linux.sysctl: must be an object of strings');
    expect(() => sysctlSteps('x', all)).toThrow('linux.sysctl: must be an object of strings');
  });
});
