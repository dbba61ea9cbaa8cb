/**
 * Compile time per target for the benchmark fleet (`FLEET_SERVICES`, default 1,000), to find the
 * target a compile-time change should look at. Each target runs `ROUNDS` times (default 1) and
 * prints every round with its wall and CPU seconds (user and system, all threads), because the
 * development machine is shared: wall time follows the load, CPU time much less.
 * With `--cpu-prof` (`node --import tsx --cpu-prof test/bench/compile-profile.ts`) the profile
 * shows the functions; `COMPILE_TARGETS=grafana,tests` limits the run to some targets.
 *
 * After the targets, the compilers are timed alone per call.
 */
import os from 'node:os';
import { alertingEnvironments, toAlertmanagerConfig } from '../../src/compile/alertmanager/index.ts';
import { toDashboards } from '../../src/compile/grafana/index.ts';
import { type Artifacts, compileArtifacts } from '../../src/compile/index.ts';
import { toRuleFile } from '../../src/compile/prometheus/index.ts';
import { toSloRuleGroups } from '../../src/compile/prometheus/slo-rules.ts';
import { deriveTests } from '../../src/derive/index.ts';
import { toKubernetesDocuments } from '../../src/derive/kubernetes/index.ts';
import { toRunbooks } from '../../src/derive/runbooks/index.ts';
import { toTestFiles } from '../../src/derive/tests/index.ts';
import type { Project } from '../../src/model/resolved.ts';
import { validateProject } from '../../src/validate/service.ts';
import { fleetService } from './fleet-service.ts';

const SERVICES = Number(process.env.FLEET_SERVICES ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const only = process.env.COMPILE_TARGETS?.split(',');

const { project, diagnostics } = validateProject(Array.from({ length: SERVICES }, (_, i) => fleetService(i)));
if (!project) throw new Error(diagnostics.map((d) => d.message).join('\n'));
const pairs = project.services.reduce((n, s) => n + s.environments.length, 0);
const artifacts: Artifacts = compileArtifacts(project);

/** Each target as the pipeline runs it: primary artifacts from the model, derived ones from those. */
const TARGETS: readonly [string, (p: Project, a: Artifacts) => number][] = [
  [
    'prometheus',
    (p) => p.services.flatMap((svc) => svc.environments.map((env) => toRuleFile(svc, env))).length,
  ],
  [
    'alertmanager',
    (p) => alertingEnvironments(p).map(({ env, routing }) => toAlertmanagerConfig(p, env, routing)).length,
  ],
  [
    'grafana',
    (p) => p.services.flatMap((svc) => svc.environments.flatMap((env) => toDashboards(svc, env))).length,
  ],
  ['runbooks', (_, a) => toRunbooks(a).length],
  ['tests', (_, a) => deriveTests(a).tests.length],
  ['kubernetes', (_, a) => toKubernetesDocuments(a).length],
];

console.log(`fleet: ${SERVICES} services, ${pairs} service environments, ${ROUNDS} round(s)`);
let total = 0;
for (const [name, target] of TARGETS) {
  if (only && !only.includes(name)) continue;
  const times: number[] = [];
  const cpus: number[] = [];
  let documents = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    documents = target(project, artifacts);
    const used = process.cpuUsage(cpu);
    times.push((performance.now() - start) / 1000);
    cpus.push((used.user + used.system) / 1e6);
  }
  const best = Math.min(...times);
  total += best;
  const list = (values: number[]) => values.map((s) => s.toFixed(2)).join(' / ');
  console.log(
    `${name.padEnd(12)} wall ${list(times)} s  cpu ${list(cpus)} s  ${documents} artifacts  ` +
      `${((best / pairs) * 1000).toFixed(2)} ms wall per service environment (best)`,
  );
}
const load = os.loadavg().map((l) => l.toFixed(1));
console.log(`sum of best wall rounds ${total.toFixed(2)} s, load average ${load.join(' ')}`);

const services = project.services.flatMap((svc) => svc.environments.map((env) => ({ svc, env })));
const calls: [string, number, () => number][] = [
  [
    'toRuleFile',
    services.length,
    () => services.reduce((n, p) => n + toRuleFile(p.svc, p.env).groups.length, 0),
  ],
  [
    'toDashboards',
    services.length,
    () => services.reduce((n, p) => n + toDashboards(p.svc, p.env).length, 0),
  ],
  [
    'toSloRuleGroups',
    services.reduce((n, p) => n + p.svc.slos.length, 0),
    () =>
      services.reduce(
        (n, p) => n + p.svc.slos.flatMap((slo) => toSloRuleGroups(p.svc, slo, p.env)).length,
        0,
      ),
  ],
  [
    'toTestFiles',
    services.length,
    () => services.reduce((n, p) => n + toTestFiles(p.svc, p.env, toRuleFile(p.svc, p.env)).length, 0),
  ],
];
if (!only)
  for (const [name, count, run] of calls) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpu);
    const wall = (performance.now() - start) / 1000;
    const cpuSeconds = (used.user + used.system) / 1e6;
    console.log(
      `${name.padEnd(16)} ${count} calls  wall ${wall.toFixed(2)} s  cpu ${cpuSeconds.toFixed(2)} s  ` +
        `${((cpuSeconds / count) * 1000).toFixed(3)} ms cpu per call`,
    );
  }
