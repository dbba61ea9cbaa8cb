import { writeFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildTree, loadProject } from './src/index.ts';
import { startPrometheus } from './src/runtime/prometheus.ts';
import { syntheticOpenMetrics } from './test/helpers/openmetrics.ts';
import { tool } from './test/helpers/tools.ts';
const { project } = await loadProject({ root: '.' });
const svc = project!.services[0]!; const env = svc.environments[1]!;
const dir = await mkdtemp(join(tmpdir(), 'dbg-'));
const now = Math.floor(Date.now() / 1000 / 30) * 30;
await writeFile(join(dir, 's.om'), syntheticOpenMetrics(svc, env, { start: now - 3 * 3600, end: now + 600, step: 30 }));
console.log(await tool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 's.om'), join(dir, 'data')]));
const p = await startPrometheus({ rules: { 'r.yaml': buildTree(project!).get(`prometheus/production/${svc.name}.rules.yaml`)! }, config: { global: { scrape_interval: '30s', evaluation_interval: '30s' } }, dataDir: join(dir, 'data') });
try {
  console.log((await p.query('count({__name__=~".+"}) by (__name__)')).length);
  console.log(await p.query('probe_success'));
  await new Promise((r) => setTimeout(r, 45000));
  const rules = (await p.api('rules')) as any;
  for (const g of rules.groups) for (const r of g.rules) if (r.health !== 'ok' || r.lastError) console.log(g.name, r.name, r.health, r.lastError);
  console.log(await p.query('slo:period_error_budget_remaining:ratio'));
  console.log(await p.query('slo:sli_total:rate5m'));
} finally { await p.stop(); }
