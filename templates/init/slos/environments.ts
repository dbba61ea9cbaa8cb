/**
 * The one place the environments differ: namespace, whether critical alerts page, where alerts go.
 * Receivers read their secrets from files (mounted Secrets), never inline.
 */
import { defineAlertRouting, defineEnvironment, TIER_TIMING } from 'obsgen';

const secrets = '/etc/alertmanager/secrets';

export const alerting = defineAlertRouting({
  receivers: {
    'pagerduty-oncall': {
      type: 'pagerduty',
      routingKeyFile: `${secrets}/alertmanager-notifiers/pagerduty-routing-key`,
    },
    'slack-inventory': {
      type: 'slack',
      channel: '#inventory-alerts',
      apiUrlFile: `${secrets}/alertmanager-notifiers/slack-webhook-url`,
    },
    'email-warehouse': { type: 'email', to: 'warehouse-team@example.com' },
  },
  routes: [
    {
      match: { severity: 'critical' },
      receivers: ['pagerduty-oncall', 'slack-inventory'],
      timing: TIER_TIMING.critical,
    },
    { match: { severity: 'warning' }, receivers: ['slack-inventory'], timing: TIER_TIMING.warning },
    { match: { severity: 'info' }, receivers: ['email-warehouse'], timing: TIER_TIMING.info },
  ],
  defaultReceiver: 'slack-inventory',
  smtp: { smarthost: 'smtp.example.com:587', from: 'alertmanager@example.com' },
});

const common = {
  runbookBaseUrl: 'https://runbooks.example.com/inventory',
  grafanaBaseUrl: 'https://grafana.example.com',
  alerting,
} as const;

export const preprod = defineEnvironment({
  name: 'preprod',
  namespace: 'inventory-preprod',
  paging: false,
  ...common,
});

export const prod = defineEnvironment({
  name: 'prod',
  namespace: 'inventory-prod',
  paging: true,
  ...common,
});

export const environments = [preprod, prod] as const;
