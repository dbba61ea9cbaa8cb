/**
 * A fleet as a repository: one definition file per service (the shape of fleet-service.ts) plus a
 * shared environments module and obsgen.config.ts, importing the authoring API from 'obsgen'
 * (linked to this checkout), so a benchmark measures loading through files as a real fleet does.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const pad = (i: number): string => String(i).padStart(4, '0');

/** The environments module every service file imports. */
const ENVIRONMENTS = `import { defineEnvironment } from 'obsgen';

export const environmentsOf = (name: string) =>
  ['staging', 'production'].map((env) =>
    defineEnvironment({
      name: env,
      namespace: \`\${name}-\${env}\`,
      paging: env === 'production',
      runbookBaseUrl: 'https://runbooks.example.com',
      grafanaBaseUrl: 'https://grafana.example.com',
    }),
  );
`;

/** The definition file of service `i`; `objective` changes the availability SLO (for one-change runs). */
export function fleetServiceFile(i: number, objective = 0.999): string {
  const name = `svc-${pad(i)}`;
  return `import { defineMetrics, defineService, defineSlo, freshnessSli, latencySli, probeSli, ratioSli, re, select } from 'obsgen';
import { environmentsOf } from './environments.ts';

const metrics = defineMetrics({
  http_requests_total: { type: 'counter', help: 'Requests.', labels: ['job', 'namespace', 'handler', 'status'], constLabels: { job: '${name}' } },
  http_request_duration_seconds: { type: 'histogram', help: 'Latency.', labels: ['job', 'namespace', 'handler'], buckets: [0.1, 0.5, 1, 2, 5], constLabels: { job: '${name}' } },
  probe_success: { type: 'gauge', help: 'Probe.', labels: ['job', 'namespace', 'instance'] },
  last_success_timestamp_seconds: { type: 'gauge', help: 'Last ingestion.', labels: ['job', 'namespace', 'source'], values: { source: ['a', 'b'] }, constLabels: { job: '${name}' } },
});

export default defineService({
  name: '${name}',
  team: 'fleet',
  environments: environmentsOf('${name}'),
  metrics,
  slos: [
    defineSlo({ id: 'availability', description: 'Probe succeeds.', objective: ${objective}, period: '30d', sli: probeSli({ gauge: select(metrics.probe_success, { instance: 'https://${name}.example.com/' }) }) }),
    defineSlo({ id: 'latency', description: 'Fast requests.', objective: 0.95, period: '7d', sli: latencySli({ histogram: select(metrics.http_request_duration_seconds), threshold: 2 }) }),
    defineSlo({ id: 'errors', description: 'No 5xx.', objective: 0.995, period: '30d', sli: ratioSli({ bad: select(metrics.http_requests_total, { status: re('5..') }), total: select(metrics.http_requests_total) }) }),
    defineSlo({ id: 'freshness', description: 'Fresh data.', objective: 0.99, period: '24h', groupBy: ['source'], sli: freshnessSli({ timestamp: select(metrics.last_success_timestamp_seconds), maxAge: '2h' }) }),
  ],
});
`;
}

/** Writes a repository of `services` definition files into `dir` (which must not exist yet). */
export async function writeFleetRepo(dir: string, services: number): Promise<void> {
  await mkdir(join(dir, 'slos'), { recursive: true });
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(CHECKOUT, join(dir, 'node_modules', 'obsgen'), 'dir');
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await writeFile(
    join(dir, 'obsgen.config.ts'),
    "import { defineConfig } from 'obsgen';\n\nexport default defineConfig({ definitions: 'slos', outDir: 'generated' });\n",
  );
  await writeFile(join(dir, 'slos', 'environments.ts'), ENVIRONMENTS);
  for (let i = 0; i < services; i++)
    await writeFile(join(dir, 'slos', `svc-${pad(i)}.ts`), fleetServiceFile(i));
}

/** Path of service `i`'s definition file in a fleet repository. */
export const fleetServicePath = (dir: string, i: number): string => join(dir, 'slos', `svc-${pad(i)}.ts`);
