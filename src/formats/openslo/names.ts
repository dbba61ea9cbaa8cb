/** Names the OpenSLO reader and writer share. */

/**
 * OpenSLO import and export. OpenSLO cannot say everything the model holds; these annotations
 * carry the rest (both directions), and the notification targets name the receivers each tier's
 * alerts go to.
 */
export const OPENSLO = {
  annotation: {
    prefix: 'obsgen.dev/',
    /** Service: owning team. */
    team: 'obsgen.dev/team',
    /** Service: the metric contract, JSON `{ name: MetricSpec }`. */
    metrics: 'obsgen.dev/metrics',
    scrapeInterval: 'obsgen.dev/scrape-interval',
    evaluationInterval: 'obsgen.dev/evaluation-interval',
    /** SLO: grouping labels, comma-separated. */
    groupBy: 'obsgen.dev/group-by',
    /** SLO: "true" when bad/total are the model's raw SLI verbatim. */
    rawSli: 'obsgen.dev/raw-sli',
    /** SLO: "true" or "false"; overrides the alert policies' alertWhenNoData. */
    noData: 'obsgen.dev/no-data-alert',
    /** SLO: extra alert labels, JSON object. */
    alertLabels: 'obsgen.dev/alert-labels',
    /** SLO: extra alert annotations, JSON object. */
    alertAnnotations: 'obsgen.dev/alert-annotations',
    runbookUrl: 'obsgen.dev/runbook-url',
  },
  /** Team of an imported service that names none. */
  defaultTeam: 'unassigned',
  /** AlertNotificationTarget per burn tier (the Alertmanager receivers of the same names). */
  notificationTarget: {
    page: { name: 'pagerduty-oncall', target: 'pagerduty' },
    ticket: { name: 'slack-alerts', target: 'slack' },
  },
} as const;
