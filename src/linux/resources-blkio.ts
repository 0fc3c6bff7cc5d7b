// config-linux.md "Block IO" on blkio (v1) or io (v2). v1: CFQ's blkio.weight files, else BFQ's
// (runc's choice), and one blkio.throttle.* line per device. v2: BFQ's io.bfq.weight, else
// io.weight with runc's conversion (resources-convert.ts); throttles join into one io.max line
// per device. Leaf weights have no v2 equivalent. A weight of 0 is unset, as in runc.
import { specError } from '../errors.ts';
import type { LinuxBlockIO, PlanContext, ResourceWrite, Site } from './cgroup-resources.ts';
import { blkioWeightToIoWeight } from './resources-convert.ts';
import { array, at, deviceNumber, given, int, noV2, object } from './resources-values.ts';

const F = 'linux.resources.blockIO';

/** Spec key, v1 file (blkio.throttle.*), v2 io.max key, in runc's order. */
const THROTTLES = [
  ['throttleReadBpsDevice', 'read_bps_device', 'rbps'],
  ['throttleWriteBpsDevice', 'write_bps_device', 'wbps'],
  ['throttleReadIOPSDevice', 'read_iops_device', 'riops'],
  ['throttleWriteIOPSDevice', 'write_iops_device', 'wiops'],
] as const;

interface WeightEntry {
  dev: string;
  weight: number;
  leafWeight: number;
  field: string;
}

interface Throttle {
  dev: string;
  rate: number;
  kind: (typeof THROTTLES)[number];
  field: string;
}

interface BlockIO {
  weight: number;
  leafWeight: number;
  devices: WeightEntry[];
  throttles: Throttle[];
}

export function blkioWrites(spec: LinuxBlockIO | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const b = checked(spec);
  if (!b.weight && !b.leafWeight && b.devices.length === 0 && b.throttles.length === 0) return [];
  const site = ctx.site('blkio', F);
  return site.version === 1 ? v1Writes(b, site) : v2Writes(b, site);
}

/** CFQ's range, and the domain of the v2 conversion. */
const weight = (v: unknown, field: string) => (given(v) && v !== 0 ? int(v, field, 10, 1000) : 0);

function checked(spec: LinuxBlockIO): BlockIO {
  const o = object(spec, F);
  const entries = (key: string) => (given(o[key]) ? array(o[key], `${F}.${key}`) : []);
  const devices = entries('weightDevice').map((d, i): WeightEntry => {
    const field = `${F}.weightDevice[${i}]`;
    const o = object(d, field);
    const e = { dev: deviceNumber(o, field), weight: weight(o.weight, `${field}.weight`), leafWeight: weight(o.leafWeight, `${field}.leafWeight`), field };
    if (!e.weight && !e.leafWeight) throw specError(`${field}: needs weight or leafWeight (config-linux.md "Block IO": at least one MUST be given)`);
    return e;
  });
  const throttles = THROTTLES.flatMap((kind) =>
    entries(kind[0]).map((d, i): Throttle => {
      const field = `${F}.${kind[0]}[${i}]`;
      return { dev: deviceNumber(d, field), rate: int(object(d, field).rate, `${field}.rate`, 0), kind, field };
    }),
  );
  return { weight: weight(o.weight, `${F}.weight`), leafWeight: weight(o.leafWeight, `${F}.leafWeight`), devices, throttles };
}

function v1Writes(b: BlockIO, site: Site): ResourceWrite[] {
  const out: ResourceWrite[] = [];
  if (b.weight) out.push(at(site, 'blkio.weight', b.weight, `${F}.weight`, { fallback: { file: 'blkio.bfq.weight', value: String(b.weight) } }));
  if (b.leafWeight) out.push(at(site, 'blkio.leaf_weight', b.leafWeight, `${F}.leafWeight`));
  for (const d of b.devices) {
    const line = `${d.dev} ${d.weight}`;
    if (d.weight) out.push(at(site, 'blkio.weight_device', line, `${d.field}.weight`, { fallback: { file: 'blkio.bfq.weight_device', value: line } }));
    if (d.leafWeight) out.push(at(site, 'blkio.leaf_weight_device', `${d.dev} ${d.leafWeight}`, `${d.field}.leafWeight`));
  }
  for (const t of b.throttles) out.push(at(site, `blkio.throttle.${t.kind[1]}`, `${t.dev} ${t.rate}`, t.field));
  return out;
}

function v2Writes(b: BlockIO, site: Site): ResourceWrite[] {
  if (b.leafWeight) throw noV2(`${F}.leafWeight`, 'the io controller has no leaf weights');
  const leaf = b.devices.find((d) => d.leafWeight);
  if (leaf) throw noV2(`${leaf.field}.leafWeight`, 'the io controller has no leaf weights');
  const out: ResourceWrite[] = [];
  const bfqOrIo = (v: string, conv: string, field: string) => at(site, 'io.bfq.weight', v, field, { fallback: { file: 'io.weight', value: conv } });
  if (b.weight) out.push(bfqOrIo(String(b.weight), String(blkioWeightToIoWeight(b.weight)), `${F}.weight`));
  for (const d of b.devices) out.push(bfqOrIo(`${d.dev} ${d.weight}`, `${d.dev} ${blkioWeightToIoWeight(d.weight)}`, `${d.field}.weight`));
  return [...out, ...ioMax(b.throttles, site)];
}

/** One io.max line per device, its keys in runc's order; a rate of 0 is skipped on v2, as runc skips it. */
function ioMax(throttles: Throttle[], site: Site): ResourceWrite[] {
  const byDev = new Map<string, Throttle[]>();
  for (const t of throttles.filter((t) => t.rate > 0)) byDev.set(t.dev, [...(byDev.get(t.dev) ?? []), t]);
  return [...byDev].map(([dev, ts]) => at(site, 'io.max', [dev, ...ts.map((t) => `${t.kind[2]}=${t.rate}`)].join(' '), ts.map((t) => t.field).join(', ')));
}
