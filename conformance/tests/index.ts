// Every suite test, one file per spec area. The runner selects from `allTests` by edition and
// --filter; each test's ids are the catalogue MUSTs it checks (conformance/catalogue/).
import type { SuiteTest } from '../harness/types.ts';
import { autoremoveTests } from './autoremove.ts';
import { cgroupTests } from './cgroups.ts';
import { configTests } from './config.ts';
import { createTests } from './create.ts';
import { deleteTests } from './delete.ts';
import { deviceAllowlistTests } from './device-allowlist.ts';
import { deviceTests } from './devices.ts';
import { errorTests } from './errors.ts';
import { featureTests } from './features.ts';
import { hookTests } from './hooks.ts';
import { idmapTests } from './idmap.ts';
import { killTests } from './kill.ts';
import { lifecycleTests } from './lifecycle.ts';
import { linuxProcessTests } from './linux-process.ts';
import { mountTests } from './mounts.ts';
import { namespaceTests } from './namespaces.ts';
import { netDeviceTests } from './netdevices.ts';
import { pathTests } from './paths.ts';
import { personalityTests } from './personality.ts';
import { processTests } from './process.ts';
import { resourceTests } from './resources.ts';
import { runTests } from './run.ts';
import { seccompTests } from './seccomp.ts';
import { startTests } from './start.ts';
import { stateTests } from './state.ts';
import { stopTests } from './stop.ts';
import { sysctlTests } from './sysctl.ts';
import { timeOffsetTests } from './time-offsets.ts';

export const allTests: SuiteTest[] = [
  ...stateTests,
  ...createTests,
  ...startTests,
  ...runTests,
  ...stopTests,
  ...killTests,
  ...deleteTests,
  ...autoremoveTests,
  ...errorTests,
  ...lifecycleTests,
  ...configTests,
  ...processTests,
  ...linuxProcessTests,
  ...mountTests,
  ...idmapTests,
  ...namespaceTests,
  ...deviceTests,
  ...netDeviceTests,
  ...sysctlTests,
  ...seccompTests,
  ...pathTests,
  ...personalityTests,
  ...timeOffsetTests,
  ...cgroupTests,
  ...resourceTests,
  ...deviceAllowlistTests,
  ...hookTests,
  ...featureTests,
];
