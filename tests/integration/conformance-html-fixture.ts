// A RunsReport of three runtimes over the real catalogue, with made-up results: a failure per runtime
// (its stderr holds markup), an operation a runtime lacks, a check the host can't make, and a failure
// outside the catalogue. The HTML report's browser test and its screenshot are made from it.
import { loadCatalogue, type CatalogueEntry } from '../../conformance/catalogue/index.ts';
import type { CommandRecord, Edition, Outcome, TestResult } from '../../conformance/harness/types.ts';
import { catalogueReference } from '../../conformance/report/reference.ts';
import type { RunsReport } from '../../conformance/report/runs.ts';

export const MARKUP = `<script>alert(1)</script> "quoted" & 'single'`;

const testableIn = (file: string) => {
  const e = loadCatalogue().find((x) => x.file === file && x.testable);
  if (e === undefined) throw new Error(`no testable entry in ${file}`);
  return e;
};

/** The entries the fixture's results name, by what happens to them. */
export const ENTRIES = {
  runcFails: testableIn('v1.3.0/config-linux.md'),
  ocirtFails: testableIn('v1.3.0/config.md'),
  unsupported: testableIn('draft/runtime.md'),
  hostSkips: testableIn('v1.3.0/runtime.md'),
};

const command = (argv: string[], code: number, stderr = '', stdout = ''): CommandRecord => ({ argv, code, signal: null, stdout, stderr, ms: 12, timedOut: false });

const result = (e: CatalogueEntry, outcome: Outcome, edition: Edition = e.edition): TestResult => ({
  area: e.file,
  test: { ids: [e.id], title: `${e.id} ${e.section.toLowerCase()} as the sentence says` },
  edition,
  outcome,
  ms: 40,
});

const PASS: Outcome = { status: 'pass' };

export function fixtureReport(): RunsReport {
  const { runcFails, ocirtFails, unsupported, hostSkips } = ENTRIES;
  const failure: Outcome = {
    status: 'fail',
    expected: 'the process to see /proc/sys read-only',
    actual: `a read-write mount; ${MARKUP}`,
    probe: { mountinfo: [{ mount_point: '/proc/sys', options: 'rw,nosuid' }], note: MARKUP },
    commands: [
      command(['runc', 'create', '--bundle', '/tmp/b 1', 'c1'], 0),
      command(['runc', 'start', 'c1'], 1, `time="now" level=error msg="${MARKUP}"\n`, 'partial output\n'),
      { argv: ['runc', 'delete', '--force', 'c1'], code: null, signal: 'SIGKILL', stdout: '', stderr: '', ms: 10_000, timedOut: true },
    ],
  };
  const lacks: Outcome = { status: 'unsupported', reason: 'the runtime has no `stop` command', commands: [command(['runc', 'stop', 'c2'], 1, 'No help topic for \'stop\'\n')] };
  const skip: Outcome = { status: 'skip', reason: 'the host has no cgroup v2 memory controller' };
  return {
    runs: [
      { name: 'runc', runtime: '/usr/sbin/runc', version: 'runc version 1.1.5', notes: [], results: [result(runcFails, failure), result(ocirtFails, PASS), result(unsupported, lacks), result(hostSkips, PASS)] },
      {
        name: 'crun',
        runtime: '/usr/bin/crun',
        version: 'crun version 1.8.1',
        notes: ['in a mount namespace with cgroup2 at /sys/fs/cgroup, --cgroup-manager=disabled'],
        results: [
          result(runcFails, PASS),
          result(ocirtFails, PASS),
          result(unsupported, lacks),
          result(hostSkips, skip),
          { area: 'runtime-tools/default', test: { ids: [], title: 'runtime-tools default ran to completion', references: [] }, edition: 'v1', outcome: { ...failure, commands: [] }, ms: 5 },
        ],
      },
      {
        name: 'ocirt',
        runtime: '/work/main/bin/ocirt',
        version: 'ocirt version 0.1.0',
        notes: [],
        results: [result(runcFails, PASS), result(ocirtFails, failure), result(unsupported, PASS), result(hostSkips, PASS)],
      },
    ],
    catalogue: loadCatalogue(),
    referenceOf: catalogueReference,
    started: '2026-12-01T15:00:00.000Z',
    host: 'Linux 6.1.0-test',
  };
}
