/**
 * `npm run bench`: a synthetic fleet (1,000 services x 4 SLOs x 2 environments) through the
 * pipeline (validate, compile, render, write to a temporary generated/), printing wall time per
 * stage and peak memory. `rules` runs the Prometheus target only (the rule files the fleet's
 * Prometheus loads; target on 2 cores: under 5 s and under 1 GiB), `all` every target (dashboards,
 * runbooks, promtool tests, Alertmanager...). Run each scope in its own process: peak memory is
 * per process.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileArtifacts, compiledDocuments } from '../../src/compile/index.ts';
import { ruleFilePath, toRuleFile } from '../../src/compile/prometheus/index.ts';
import { deriveArtifacts, derivedDocuments } from '../../src/derive/index.ts';
import { type Document, renderTree, writeTree } from '../../src/emit/index.ts';
import { validateProject } from '../../src/validate/service.ts';

import { fleetService } from './fleet-service.ts';

const SERVICES = Number(process.env.FLEET_SERVICES ?? 1000);
const SCOPE = process.argv[2] === 'all' ? 'all' : 'rules';

const seconds = (start: number): string => ((performance.now() - start) / 1000).toFixed(2);

const t0 = performance.now();
const loaded = Array.from({ length: SERVICES }, (_, i) => fleetService(i));
const tDefine = seconds(t0);
let t = performance.now();
const { project, diagnostics } = validateProject(loaded);
if (!project) throw new Error(diagnostics.map((d) => d.message).join('\n'));
const tValidate = seconds(t);
t = performance.now();
// The rules scope is the Prometheus compiler alone: the rule files a fleet's Prometheus loads.
const rulesOnly = (): Document[] =>
  project.services.flatMap((svc) =>
    svc.environments.map((env) => ({
      path: ruleFilePath(svc, env),
      format: 'yaml' as const,
      value: toRuleFile(svc, env),
      sources: [svc.file],
    })),
  );
// compile: the primary artifacts (all) or the rule files (rules); derive: Kubernetes objects,
// promtool tests and runbooks from them; documents: both as documents for the emitter.
const artifacts = SCOPE === 'all' ? compileArtifacts(project) : undefined;
const rules = artifacts ? [] : rulesOnly();
const tCompile = seconds(t);
t = performance.now();
const derived = artifacts ? deriveArtifacts(artifacts) : undefined;
const tDerive = seconds(t);
t = performance.now();
const documents =
  artifacts && derived ? [...compiledDocuments(artifacts), ...derivedDocuments(derived)] : rules;
const tDocuments = seconds(t);
t = performance.now();
const tree = renderTree(documents);
const tRender = seconds(t);
const out = join(tmpdir(), `obsgen-bench-${process.pid}`);
t = performance.now();
await writeTree(out, tree);
const tWrite = seconds(t);
const total = seconds(t0);
await rm(out, { recursive: true, force: true });
const bytes = [...tree.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const peakMiB = (process.resourceUsage().maxRSS / 1024).toFixed(0);

console.log(
  `fleet: ${SERVICES} services x 4 SLOs x 2 environments -> ${tree.size} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`,
);
console.log(
  `define ${tDefine}s  validate ${tValidate}s  compile ${tCompile}s  derive ${tDerive}s  documents ${tDocuments}s  render ${tRender}s  write ${tWrite}s`,
);
console.log(
  `total ${total}s wall, peak RSS ${peakMiB} MiB ${SCOPE === 'rules' ? ' (target: < 5 s, < 1024 MiB on 2 cores)' : ''}`,
);
