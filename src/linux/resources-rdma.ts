// config-linux.md "RDMA" on the rdma controller (v1 or v2): one rdma.max line per device,
// "DEV hca_handle=N hca_object=M" with the keys given (runc's and crun's line).
import { specError } from '../errors.ts';
import type { LinuxRdma, PlanContext, ResourceWrite } from './cgroup-resources.ts';
import { UINT32_MAX, at, given, int, object, word } from './resources-values.ts';

const F = 'linux.resources.rdma';

export function rdmaWrites(spec: Record<string, LinuxRdma> | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const entries = Object.entries(object(spec, F));
  if (entries.length === 0) return [];
  const site = ctx.site('rdma', F);
  return entries.map(([dev, limits]) => {
    const field = `${F}[${JSON.stringify(dev)}]`;
    const o = object(limits, field);
    const keys = (['hcaHandles', 'hcaObjects'] as const).filter((k) => given(o[k]));
    if (keys.length === 0) throw specError(`${field}: needs hcaHandles or hcaObjects (config-linux.md "RDMA": at least one MUST be given)`);
    const pairs = keys.map((k) => `${k === 'hcaHandles' ? 'hca_handle' : 'hca_object'}=${int(o[k], `${field}.${k}`, 0, UINT32_MAX)}`);
    return at(site, 'rdma.max', [word(dev, field), ...pairs].join(' '), field);
  });
}
