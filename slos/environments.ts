/**
 * Environment settings of the project: namespaces, paging, per-environment values, the rule
 * selector labels and alert routing. The one place where environments differ.
 */
import { defineAlertRouting, defineEnvironment, TIER_TIMING } from 'obsgen';

const runbookBaseUrl =
  'https://github.com/malaria-prediction/malaria-predictor-api/blob/main/generated/runbooks';
const grafanaBaseUrl = 'https://grafana.malaria-prediction.com';

/** Where Alertmanager finds the notifier secrets (a Secret mounted by the Alertmanager resource). */
const secrets = '/etc/alertmanager/secrets/alertmanager-notifiers';

/**
 * Alert routing, shared by both environments. Paging receivers (PagerDuty) are used only where
 * the environment pages, so staging sends critical alerts to #alerts and never pages.
 */
export const alerting = defineAlertRouting({
  receivers: {
    'pagerduty-oncall': { type: 'pagerduty', routingKeyFile: `${secrets}/pagerduty-routing-key` },
    'slack-alerts': { type: 'slack', channel: '#alerts', apiUrlFile: `${secrets}/slack-alerts-webhook-url` },
    'slack-deployments': {
      type: 'slack',
      channel: '#deployments',
      apiUrlFile: `${secrets}/slack-deployments-webhook-url`,
      sendResolved: false,
    },
    'slack-security': {
      type: 'slack',
      channel: '#security',
      apiUrlFile: `${secrets}/slack-security-webhook-url`,
    },
    'email-devops-digest': { type: 'email', to: 'devops@malaria-prediction.com' },
    watchdog: {
      type: 'webhook',
      url: 'https://heartbeat.malaria-prediction.com/alertmanager',
      credentialsFile: `${secrets}/heartbeat-token`,
    },
  },
  routes: [
    // The heartbeat first: it must never be grouped with, muted by or delayed like real alerts.
    { match: { alertname: 'Watchdog' }, receivers: ['watchdog'], timing: TIER_TIMING.watchdog },
    // Security alerts reach #security and continue, so a critical one still pages.
    { match: { category: 'security' }, receivers: ['slack-security'], continue: true },
    { match: { category: 'deployment' }, receivers: ['slack-deployments'], timing: TIER_TIMING.deployment },
    {
      match: { severity: 'critical' },
      receivers: ['pagerduty-oncall', 'slack-alerts'],
      timing: TIER_TIMING.critical,
    },
    { match: { severity: 'warning' }, receivers: ['slack-alerts'], timing: TIER_TIMING.warning },
    {
      match: { severity: 'info' },
      receivers: ['email-devops-digest'],
      timing: TIER_TIMING.info,
      // A digest nobody reads on weekends waits for Monday (the 24h cycle retries daily).
      muteTimeIntervals: ['weekends'],
    },
  ],
  defaultReceiver: 'slack-alerts',
  timeIntervals: { weekends: [{ weekdays: ['saturday', 'sunday'] }] },
  timeZone: 'UTC',
  smtp: {
    smarthost: 'smtp.malaria-prediction.com:587',
    from: 'alertmanager@malaria-prediction.com',
    authUsername: 'alertmanager',
    authPasswordFile: `${secrets}/smtp-password`,
  },
});

export const staging = defineEnvironment({
  name: 'staging',
  namespace: 'malaria-prediction-staging',
  paging: false,
  vars: { probeTarget: 'https://api-staging.malaria-prediction.com/health/readiness' },
  runbookBaseUrl,
  grafanaBaseUrl,
  ruleSelectorLabels: { release: 'kube-prometheus-stack' },
  alerting,
});

export const production = defineEnvironment({
  name: 'production',
  namespace: 'malaria-prediction-production',
  paging: true,
  vars: { probeTarget: 'https://api.malaria-prediction.com/health/readiness' },
  runbookBaseUrl,
  grafanaBaseUrl,
  ruleSelectorLabels: { release: 'kube-prometheus-stack' },
  alerting,
});

export const environments = [staging, production] as const;
