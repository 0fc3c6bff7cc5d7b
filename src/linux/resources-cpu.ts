// config-linux.md "CPU": shares, CFS quota/period/burst, real-time runtime/period and idle on the
// cpu controller; cpus and mems on cpuset. v1 writes each to its own file in runc's order; v2
// converts shares to cpu.weight and joins quota and period into cpu.max. 0 means unset for
// shares, quota, period and the real-time values, as in runc.
import { specError } from '../errors.ts';
import type { LinuxCpu, PlanContext, ResourceWrite, Site } from './cgroup-resources.ts';
import { cpuSharesToWeight } from './resources-convert.ts';
import { INT64_MAX, at, given, int, noV2, object, str } from './resources-values.ts';

const F = 'linux.resources.cpu';

interface Cpu {
  shares: number;
  quota: number;
  period: number;
  burst?: number;
  realtimeRuntime: number;
  realtimePeriod: number;
  idle?: number;
}

export function cpuWrites(spec: LinuxCpu | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const c = checked(spec);
  if (!(c.shares || c.quota || c.period || c.realtimeRuntime || c.realtimePeriod || given(c.burst) || given(c.idle))) return [];
  const site = ctx.site('cpu', F);
  return site.version === 1 ? v1Writes(c, site) : v2Writes(c, site, ctx);
}

function checked(spec: LinuxCpu): Cpu {
  const o = object(spec, F);
  const n = (k: string, min: number, max = INT64_MAX) => (given(o[k]) ? int(o[k], `${F}.${k}`, min, max) : undefined);
  const c = {
    shares: n('shares', 0) ?? 0,
    quota: n('quota', -1) ?? 0,
    period: n('period', 0) ?? 0,
    burst: n('burst', 0),
    realtimeRuntime: n('realtimeRuntime', -1) ?? 0,
    realtimePeriod: n('realtimePeriod', 0) ?? 0,
    idle: n('idle', 0, 1), // the kernel takes 0 (default) or 1 (SCHED_IDLE)
  };
  if (given(c.burst) && c.quota > 0 && c.burst > c.quota) {
    throw specError(`${F}.burst: ${c.burst} is larger than the quota ${c.quota} (config-linux.md "CPU": it MUST be no larger)`);
  }
  return c;
}

function v1Writes(c: Cpu, site: Site): ResourceWrite[] {
  const out: ResourceWrite[] = [];
  if (c.shares) out.push(at(site, 'cpu.shares', sharesV1(c.shares), `${F}.shares`));
  // Period before quota (runc, crun). A shorter period can be refused (EINVAL) while the old quota
  // over the new period exceeds the parent's; both then retry it once the quota is written.
  if (c.period) out.push(at(site, 'cpu.cfs_period_us', c.period, `${F}.period`, c.quota ? { retryAfter: 'cpu.cfs_quota_us' } : {}));
  if (c.quota) out.push(at(site, 'cpu.cfs_quota_us', c.quota, `${F}.quota`));
  if (given(c.burst)) out.push(at(site, 'cpu.cfs_burst_us', c.burst, `${F}.burst`)); // after the quota it may not exceed
  // The real-time period before the runtime that must fit in it (runc's SetRtSched).
  if (c.realtimePeriod) out.push(at(site, 'cpu.rt_period_us', c.realtimePeriod, `${F}.realtimePeriod`));
  if (c.realtimeRuntime) out.push(at(site, 'cpu.rt_runtime_us', c.realtimeRuntime, `${F}.realtimeRuntime`));
  if (given(c.idle)) out.push(at(site, 'cpu.idle', c.idle, `${F}.idle`));
  return out;
}

/** The kernel clamps shares to [2, 262144] silently; runc reads them back and refuses a clamped value. */
function sharesV1(shares: number): number {
  if (shares < 2 || shares > 262144) throw specError(`${F}.shares: ${shares} is outside the kernel's 2..262144`);
  return shares;
}

function v2Writes(c: Cpu, site: Site, ctx: PlanContext): ResourceWrite[] {
  if (c.realtimePeriod) throw noV2(`${F}.realtimePeriod`, 'v2 has no real-time group scheduling files');
  if (c.realtimeRuntime) throw noV2(`${F}.realtimeRuntime`, 'v2 has no real-time group scheduling files');
  const out: ResourceWrite[] = [];
  if (given(c.idle)) out.push(at(site, 'cpu.idle', c.idle, `${F}.idle`)); // first, as runc: it decides whether cpu.weight may be set
  // shares → cpu.weight with runc's conversion (resources-convert.ts); the kernel refuses a weight
  // on an idle cgroup, and runc skips it then.
  if (c.shares && c.idle === 1) ctx.warn(`${F}.shares: ignored: cpu.weight cannot be set while cpu.idle is 1, as runc ignores it`);
  else if (c.shares) out.push(at(site, 'cpu.weight', cpuSharesToWeight(c.shares), `${F}.shares`));
  if (c.quota || c.period) out.push(cpuMax(c, site, ctx));
  if (given(c.burst)) out.push(at(site, 'cpu.max.burst', c.burst, `${F}.burst`)); // after cpu.max, whose quota bounds it
  return out;
}

/**
 * quota and period → cpu.max "QUOTA PERIOD", quota -1 being "max" (runc, crun). One file holds
 * both, so a half the config leaves out keeps its current value: on create that is the kernel's
 * "max 100000", which is what runc writes for it; on update it keeps what the container has.
 */
function cpuMax(c: Cpu, site: Site, ctx: PlanContext): ResourceWrite {
  const [quotaNow = 'max', periodNow = '100000'] = (ctx.read(site.dir, 'cpu.max') ?? '').split(/\s+/).filter(Boolean);
  const quota = c.quota > 0 ? String(c.quota) : c.quota === -1 ? 'max' : quotaNow;
  const period = c.period ? String(c.period) : periodNow;
  const field = [c.quota ? `${F}.quota` : '', c.period ? `${F}.period` : ''].filter(Boolean).join(', ');
  return at(site, 'cpu.max', `${quota} ${period}`, field);
}

/** cpus, then mems, written verbatim; "" is unset (runc), since writing it would empty a v1 cpuset. */
export function cpusetWrites(spec: LinuxCpu | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const o = object(spec, F);
  const keys = (['cpus', 'mems'] as const).filter((k) => given(o[k]) && o[k] !== '');
  if (keys[0] === undefined) return [];
  const site = ctx.site('cpuset', `${F}.${keys[0]}`);
  return keys.map((k) => at(site, `cpuset.${k}`, list(o[k], `${F}.${k}`), `${F}.${k}`));
}

/** The kernel's list syntax (bitmap_parselist): "0-3,7", and strides like "0-7:2/4". */
const LIST = /^\d+(-\d+(:\d+\/\d+)?)?(,\d+(-\d+(:\d+\/\d+)?)?)*$/;

function list(v: unknown, field: string): string {
  const s = str(v, field);
  if (!LIST.test(s)) throw specError(`${field}: ${JSON.stringify(s)} is not a list such as "0-3,7"`);
  return s;
}
