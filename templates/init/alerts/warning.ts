/** Warnings go to the team's channel: look within the working day. */
import { defineAlert, series } from 'obsgen';
import { metrics } from '../slos/inventory-api.js';

export const inventoryStockSyncStale = defineAlert({
  name: 'InventoryStockSyncStale',
  severity: 'warning',
  category: 'data',
  service: 'inventory-api',
  for: '5m',
  groupBy: ['warehouse'],
  summary: 'A warehouse has not synchronised its stock for more than 30 minutes.',
  description: 'Warehouse {{ $labels.warehouse }} has not synchronised its stock for more than 30 minutes.',
  expr: ({ sel }) =>
    `max by (warehouse) (time() - ${sel(metrics.inventory_stock_sync_last_success_timestamp_seconds)}) > 1800`,
  runbook: { impact: 'Stock shown to customers may be out of date; orders may oversell.' },
  examples: {
    firing: {
      series: [
        series(metrics.inventory_stock_sync_last_success_timestamp_seconds, { warehouse: 'north' }, '0x60'),
      ],
      firesWithin: '40m',
      alerts: [
        {
          labels: { warehouse: 'north' },
          description: 'Warehouse north has not synchronised its stock for more than 30 minutes.',
        },
      ],
    },
    healthy: {
      series: [
        series(
          metrics.inventory_stock_sync_last_success_timestamp_seconds,
          { warehouse: 'north' },
          '60+60x60',
        ),
      ],
    },
  },
});
