// The parts of config.json (draft and v1.3.0) that ocirt reads. Shapes follow
// spec/v1.3.0/config.md and config-linux.md; the draft's differences are noted.

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface Process {
  terminal?: boolean;
  user: User;
  args: string[];
  env?: string[];
  cwd: string;
  [field: string]: unknown;
}

export interface Namespace {
  type: string;
  path?: string;
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  timeOffsets?: Record<string, { secs?: number; nanosecs?: number }>;
  cgroupsPath?: string;
  rootfsPropagation?: string;
  [field: string]: unknown;
}

export interface Config {
  ociVersion: string;
  root: { path: string; readonly?: boolean; autoremove?: boolean };
  process?: Process;
  mounts?: Mount[];
  hostname?: string;
  domainname?: string;
  annotations?: Record<string, string>;
  linux?: Linux;
  [field: string]: unknown;
}
