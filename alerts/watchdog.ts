/**
 * The Watchdog: always firing. Its receiver (a heartbeat monitor) raises the alarm when the
 * notifications stop, which catches a dead Prometheus, broken rule loading or a broken Alertmanager.
 * Severity `none`, as kube-prometheus labels its own Watchdog: kube-prometheus-stack's default
 * inhibit rules mute `severity="info"` alerts of a namespace while its InfoInhibitor fires (that
 * is, while the namespace is healthy), which would silence a heartbeat at severity info.
 */

import { defineAlert } from 'obsgen';
import api from '../slos/malaria-predictor-api.ts';

export const watchdog = defineAlert({
  name: 'Watchdog',
  severity: 'none',
  category: 'infrastructure',
  service: api.name,
  for: '0s',
  summary: 'The alerting pipeline works: this alert always fires.',
  description:
    'Always firing by design. The heartbeat monitor alarms when Alertmanager stops sending it: then Prometheus, its rules or Alertmanager are down.',
  expr: () => 'vector(1)',
  runbook: {
    impact:
      'Do not silence it. When the heartbeat monitor reports it missing, no other alert of this environment can reach anyone.',
    steps: [
      'If the heartbeat monitor alarmed: check that Prometheus runs and loads the rules (`/rules` page), then Alertmanager and its webhook errors.',
    ],
    escalation:
      'When the heartbeat monitor reports the Watchdog missing, treat it as critical: a real outage would page nobody. Page the on-call of malaria-platform until alerting works again.',
  },
  examples: {
    firing: { series: [], firesWithin: '1m' },
  },
});
