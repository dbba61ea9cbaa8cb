/** One synthetic service of the benchmark fleet: the four SLO kinds of the malaria API. */
import {
  defineEnvironment,
  defineMetrics,
  defineService,
  defineSlo,
  freshnessSli,
  latencySli,
  probeSli,
  ratioSli,
  re,
  select,
} from '../../src/model/index.ts';

export function fleetService(i: number) {
  const name = `svc-${String(i).padStart(4, '0')}`;
  const environments = ['staging', 'production'].map((env) =>
    defineEnvironment({
      name: env,
      namespace: `${name}-${env}`,
      paging: env === 'production',
      runbookBaseUrl: 'https://runbooks.example.com',
      grafanaBaseUrl: 'https://grafana.example.com',
    }),
  );
  const metrics = defineMetrics({
    http_requests_total: {
      type: 'counter',
      help: 'Requests.',
      labels: ['job', 'namespace', 'handler', 'status'],
      constLabels: { job: name },
    },
    http_request_duration_seconds: {
      type: 'histogram',
      help: 'Latency.',
      labels: ['job', 'namespace', 'handler'],
      buckets: [0.1, 0.5, 1, 2, 5],
      constLabels: { job: name },
    },
    probe_success: { type: 'gauge', help: 'Probe.', labels: ['job', 'namespace', 'instance'] },
    last_success_timestamp_seconds: {
      type: 'gauge',
      help: 'Last ingestion.',
      labels: ['job', 'namespace', 'source'],
      values: { source: ['a', 'b'] },
      constLabels: { job: name },
    },
  });
  return {
    file: `slos/${name}.ts`,
    exportName: 'default',
    value: defineService({
      name,
      team: 'fleet',
      environments,
      metrics,
      slos: [
        defineSlo({
          id: 'availability',
          description: 'Probe succeeds.',
          objective: 0.999,
          period: '30d',
          sli: probeSli({
            gauge: select(metrics.probe_success, { instance: `https://${name}.example.com/` }),
          }),
        }),
        defineSlo({
          id: 'latency',
          description: 'Fast requests.',
          objective: 0.95,
          period: '7d',
          sli: latencySli({ histogram: select(metrics.http_request_duration_seconds), threshold: 2 }),
        }),
        defineSlo({
          id: 'errors',
          description: 'No 5xx.',
          objective: 0.995,
          period: '30d',
          sli: ratioSli({
            bad: select(metrics.http_requests_total, { status: re('5..') }),
            total: select(metrics.http_requests_total),
          }),
        }),
        defineSlo({
          id: 'freshness',
          description: 'Fresh data.',
          objective: 0.99,
          period: '24h',
          groupBy: ['source'],
          sli: freshnessSli({ timestamp: select(metrics.last_success_timestamp_seconds), maxAge: '2h' }),
        }),
      ],
    }),
  };
}
