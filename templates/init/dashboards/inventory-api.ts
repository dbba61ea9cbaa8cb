/** The inventory API's dashboards: requests, errors and latency, and stock synchronisation. */
import { agePanel, defineDashboards, re, select } from 'obsgen';
import { metrics } from '../slos/inventory-api.js';

export default defineDashboards({
  service: 'inventory-api',
  red: {
    requests: select(metrics.inventory_requests_total),
    errors: select(metrics.inventory_requests_total, { code: re('5..') }),
    duration: select(metrics.inventory_request_duration_seconds),
    errorRatioThreshold: 0.05,
    latencyThreshold: 0.25,
    by: 'route',
  },
  business: {
    rows: [
      {
        title: 'Stock synchronisation',
        panels: [
          agePanel({
            key: 'stock-sync-age',
            title: 'Time since the last stock synchronisation, by warehouse',
            timestamp: select(metrics.inventory_stock_sync_last_success_timestamp_seconds),
            by: ['warehouse'],
            maxAge: '15m',
          }),
        ],
      },
    ],
  },
});
