/** Critical alerts page the on-call in prod (preprod never pages): act now. */
import { defineAlert, re, series } from 'obsgen';
import { metrics } from '../slos/inventory-api.js';

export const inventoryHighErrorRate = defineAlert({
  name: 'InventoryHighErrorRate',
  severity: 'critical',
  category: 'errors',
  service: 'inventory-api',
  for: '2m',
  summary: 'More than 5% of inventory requests fail.',
  description: '{{ $value | humanizePercentage }} of requests failed over the last 5 minutes.',
  expr: ({ sel }) =>
    `sum(rate(${sel(metrics.inventory_requests_total, { code: re('5..') })}[5m])) / sum(rate(${sel(metrics.inventory_requests_total)}[5m])) > 0.05`,
  runbook: { impact: 'Orders cannot reserve stock; checkout fails.' },
  examples: {
    firing: {
      series: [
        series(metrics.inventory_requests_total, { route: '/stock', code: '200' }, '0+540x20'),
        series(metrics.inventory_requests_total, { route: '/stock', code: '503' }, '0+60x20'),
      ],
      firesWithin: '6m',
      alerts: [{ description: '10% of requests failed over the last 5 minutes.' }],
    },
    healthy: {
      series: [series(metrics.inventory_requests_total, { route: '/stock', code: '200' }, '0+600x20')],
    },
  },
});
