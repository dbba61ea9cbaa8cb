/**
 * Handlebars templates of the runbooks. Values are inserted unescaped (Markdown, not HTML), and
 * handlebars never re-reads inserted values, so PromQL and Prometheus templates such as
 * `{{ $labels.source }}` in a description come out exactly as written. Literal Prometheus
 * template text in these templates is written `\\{{ ... }}`, which handlebars prints as `{{ ... }}`.
 */

const FENCE = '```';

const header = `<!-- {{header}} -->
# {{name}}
`;

const environmentsSections = `## PromQL to look at

{{#each environments}}
### {{name}}

{{#if clusters}}
{{clusters}}

{{/if}}
${FENCE}promql
{{{expr}}}
${FENCE}

{{/each}}
## kubectl

{{#each environments}}
{{name}} (namespace \`{{namespace}}\`):

${FENCE}sh
{{#each kubectl}}
{{{this}}}
{{/each}}
${FENCE}

{{/each}}
## Dashboard

{{#each environments}}
- {{name}}: {{{dashboardUrl}}}
{{/each}}
`;

const escalationSection = `## Escalation

| environment | notifies |
|---|---|
{{#each environments}}
| {{name}} | {{receivers}} |
{{/each}}

{{escalation}}
`;

/** Runbook of a catalog alert. */
export const CATALOG_RUNBOOK = `${header}
{{summary}}

| | |
|---|---|
| service | \`{{service}}\` (team {{team}}) |
| severity | {{severity}}: {{tierMeaning}} |
| category | {{category}} |
| fires after | the condition holds for {{forText}} |
| alert family | {{family}} |
| defined in | \`{{file}}\` |

## What fired

{{#if groupBy}}
One alert fires per {{groupBy}}. {{/if}}The notification carries this description; Prometheus fills in
\`\\{{ $labels.<name> }}\` and \`\\{{ $value }}\` when the alert fires:

${FENCE}text
{{{description}}}
${FENCE}

## Why it matters

{{{impact}}}

## First steps

{{#each steps}}
1. {{{this}}}
{{/each}}
{{#unless steps}}
1. Open the dashboard and compare the environments.
{{/unless}}

${environmentsSections}
${escalationSection}`;

/** Runbook of an SLO's burn-rate alert (all its window pairs). */
export const BURN_RUNBOOK = `${header}
The {{slo}} SLO of \`{{service}}\` (team {{team}}) burns its error budget too fast: {{sloDescription}}
Objective {{objective}} over {{period}}{{#if groupBy}}, evaluated per {{groupBy}}{{/if}}. Defined in \`{{file}}\`.

## What fired

One rule per window pair; the \`long_window\`, \`short_window\` and \`burn_factor\` labels of the
alert tell which pair fired. The pair fires when the error ratio over both windows is above the
threshold, for the given time. Prometheus fills in \`\\{{ $value }}\` (the long-window error ratio)
in the description.

| severity | windows | burn factor | error ratio above | for | a total outage fires after | budget spent by then |
|---|---|---|---|---|---|---|
{{#each pairs}}
| {{severity}} | {{long}} / {{short}} | {{factor}}x | {{threshold}} | {{for}} | {{firesAfter}} | {{budgetSpent}} |
{{/each}}

## Why it matters

{{#each exhaustion}}
At the {{tier}} rate of {{factor}}x the whole {{../period}} budget is gone within {{within}}.
{{/each}}
Look at \`slo:period_error_budget_remaining:ratio\` for what is left.

## First steps

1. Read the \`long_window\` label: a short pair (page) means a sharp incident, a long pair (ticket) a slow leak.
1. Run the bad-events query below{{#if groupBy}} (split by {{groupBy}}){{/if}} to see where the bad events come from.
1. Check recent deployments (\`kubectl rollout history\`) and the service dashboard.

${environmentsSections}
${escalationSection}`;

/** Runbook of an SLO's no-data alert. */
export const NO_DATA_RUNBOOK = `${header}
The SLI series of the {{slo}} SLO of \`{{service}}\` (team {{team}}) are absent, so its burn alerts
cannot fire: the SLO is blind. Defined in \`{{file}}\`.

## What fired

No \`{{totalRecord}}\` series for {{forText}}: the recording rule found no raw series. The service,
its exporter or the scrape is gone, or a metric or label was renamed.

## Why it matters

While it fires, an outage of this SLO pages nobody.

## First steps

1. Run the SLI's total-events query below: does it return anything?
1. Check the scrape targets (\`up\`) of the service and its exporters in Prometheus.
1. Compare the metric names and labels with the metric contract in \`{{file}}\`.

${environmentsSections}
${escalationSection}`;

/** Index of all runbooks. */
export const INDEX = `<!-- {{header}} -->
# Runbooks

One runbook per service and alert; each alert's \`runbook_url\` annotation links here.

| alert | severity | service | summary |
|---|---|---|---|
{{#each runbooks}}
| [{{name}}]({{file}}) | {{severity}} | {{service}} | {{summary}} |
{{/each}}
`;
