// config-linux.md "Network Devices": each host interface is moved into the container's network
// namespace (and renamed) by the executor on the host side once the init exists (stage 4).
import { specError } from '../errors.ts';
import type { NamespaceSet } from './namespaces.ts';
import type { Step } from './wire.ts';

const IFNAMSIZ = 16;
const validName = (n: string) => n.length > 0 && Buffer.byteLength(n) < IFNAMSIZ && !/[\s/:]/.test(n) && n !== '.' && n !== '..';

export function netDeviceSteps(devices: unknown, ns: NamespaceSet): Step[] {
  if (devices === undefined || devices === null) return [];
  if (typeof devices !== 'object' || Array.isArray(devices)) throw specError('linux.netDevices: must be an object keyed by interface name');
  const entries = Object.entries(devices as Record<string, { name?: unknown }>);
  if (entries.length && !ns.created.has('network') && !ns.joined.has('network')) {
    throw specError('linux.netDevices: needs a network namespace in linux.namespaces (moving a device into the host\'s own is meaningless)');
  }
  return entries.map(([host, d]) => {
    const field = `linux.netDevices[${JSON.stringify(host)}]`;
    const name = d?.name === undefined ? host : d.name;
    if (!validName(host)) throw specError(`${field}: not an interface name`);
    if (typeof name !== 'string' || !(validName(name) || validName(name.replace('%d', '0')))) throw specError(`${field}.name: not an interface name`);
    return { op: 'NETDEV_MOVE', args: [host, name], label: field };
  });
}
