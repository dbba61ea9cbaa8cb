/** The routing table of the built-in definitions: label sets and the receivers each reaches. */
/** Labels every row of the table carries. */
export const ROUTING_BASE_LABELS = { service: 'malaria-predictor-api' };
/** Label sets and the receivers each must reach, in tree order (amtool compares the list exactly). */
export const ROUTING_TABLE: {
  case: string;
  labels: Record<string, string>;
  staging: string;
  production: string;
}[] = [
  {
    case: 'critical',
    labels: { alertname: 'ApiDown', severity: 'critical', category: 'availability' },
    staging: 'slack-alerts',
    production: 'pagerduty-oncall,slack-alerts',
  },
  {
    case: 'critical SLO page',
    labels: {
      alertname: 'AvailabilityBudgetBurn',
      severity: 'critical',
      category: 'slo',
      slo: 'availability',
    },
    staging: 'slack-alerts',
    production: 'pagerduty-oncall,slack-alerts',
  },
  {
    case: 'warning',
    labels: { alertname: 'HighLatencyP95', severity: 'warning', category: 'latency' },
    staging: 'slack-alerts',
    production: 'slack-alerts',
  },
  {
    case: 'info',
    labels: { alertname: 'HpaAtMaxReplicas', severity: 'info', category: 'capacity' },
    staging: 'email-devops-digest',
    production: 'email-devops-digest',
  },
  {
    case: 'deployment notification',
    labels: { alertname: 'DeploymentRolledOut', severity: 'info', category: 'deployment' },
    staging: 'slack-deployments',
    production: 'slack-deployments',
  },
  {
    case: 'security warning',
    labels: { alertname: 'SuspiciousLoginRate', severity: 'warning', category: 'security' },
    staging: 'slack-security,slack-alerts',
    production: 'slack-security,slack-alerts',
  },
  {
    case: 'security critical (still pages)',
    labels: { alertname: 'CredentialLeak', severity: 'critical', category: 'security' },
    staging: 'slack-security,slack-alerts',
    production: 'slack-security,pagerduty-oncall,slack-alerts',
  },
  {
    case: 'Watchdog',
    labels: { alertname: 'Watchdog', severity: 'none', category: 'infrastructure' },
    staging: 'watchdog',
    production: 'watchdog',
  },
  {
    case: 'no severity (default receiver)',
    labels: { alertname: 'Unlabelled' },
    staging: 'slack-alerts',
    production: 'slack-alerts',
  },
];
