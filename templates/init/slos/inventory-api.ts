/**
 * The inventory API: its metric contract (every series the rules read, with its labels) and its
 * SLOs. Replace it with your service; `obsgen explain` prints what each SLO's alerts do.
 */
import {
  defineMetrics,
  defineService,
  defineSlo,
  freshnessSli,
  latencySli,
  ratioSli,
  re,
  select,
} from 'obsgen';
import { environments } from './environments.js';

const job = { job: 'inventory-api' } as const;

export const metrics = defineMetrics({
  inventory_requests_total: {
    type: 'counter',
    help: 'Requests served, by route and response code.',
    labels: ['job', 'namespace', 'route', 'code'],
    values: { route: ['/stock', '/reservations'], code: ['200', '404', '500', '503'] },
    constLabels: job,
  },
  inventory_request_duration_seconds: {
    type: 'histogram',
    help: 'Request latency, by route.',
    labels: ['job', 'namespace', 'route'],
    values: { route: ['/stock', '/reservations'] },
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5],
    constLabels: job,
    unit: 'seconds',
  },
  inventory_stock_sync_last_success_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the last successful stock synchronisation, per warehouse.',
    labels: ['job', 'namespace', 'warehouse'],
    values: { warehouse: ['north', 'south'] },
    constLabels: job,
    unit: 'seconds',
  },
});

export default defineService({
  name: 'inventory-api',
  team: 'warehouse',
  environments,
  metrics,
  slos: [
    defineSlo({
      id: 'errors',
      description: '99.9% of requests do not fail with a 5xx code.',
      objective: 0.999,
      period: '28d',
      sli: ratioSli({
        bad: select(metrics.inventory_requests_total, { code: re('5..') }),
        total: select(metrics.inventory_requests_total),
      }),
    }),
    defineSlo({
      id: 'latency',
      description: '99% of requests complete within 250ms.',
      objective: 0.99,
      period: '28d',
      sli: latencySli({ histogram: select(metrics.inventory_request_duration_seconds), threshold: 0.25 }),
    }),
    defineSlo({
      id: 'stock-sync',
      description: 'Stock levels are synchronised within 15 minutes, 99% of the time, per warehouse.',
      objective: 0.99,
      period: '7d',
      groupBy: ['warehouse'],
      sli: freshnessSli({
        timestamp: select(metrics.inventory_stock_sync_last_success_timestamp_seconds),
        maxAge: '15m',
      }),
    }),
  ],
});
