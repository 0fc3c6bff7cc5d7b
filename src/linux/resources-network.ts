// config-linux.md "Network" on the v1 net_cls and net_prio controllers. cgroup v2 has neither
// (it tags and prioritises traffic with BPF programs), so a host without their v1 hierarchies
// gets an error, as config-linux.md "Unified" asks when no conversion is possible.
import type { LinuxNetwork, PlanContext, ResourceWrite } from './cgroup-resources.ts';
import { UINT32_MAX, array, at, given, int, object, word } from './resources-values.ts';

const F = 'linux.resources.network';

export function networkWrites(spec: LinuxNetwork | undefined, ctx: PlanContext): ResourceWrite[] {
  if (!given(spec)) return [];
  const o = object(spec, F);
  const out: ResourceWrite[] = [];
  if (given(o.classID)) {
    const id = int(o.classID, `${F}.classID`, 0, UINT32_MAX);
    out.push(at(ctx.site('net_cls', `${F}.classID`), 'net_cls.classid', id, `${F}.classID`));
  }
  const priorities = given(o.priorities) ? array(o.priorities, `${F}.priorities`) : [];
  for (const [i, p] of priorities.entries()) {
    const field = `${F}.priorities[${i}]`;
    const e = object(p, field);
    const line = `${word(e.name, `${field}.name`)} ${int(e.priority, `${field}.priority`, 0, UINT32_MAX)}`;
    out.push(at(ctx.site('net_prio', field), 'net_prio.ifpriomap', line, field)); // one "ifname prio" per write
  }
  return out;
}
