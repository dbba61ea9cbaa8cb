/**
 * Conventions of the generated rules (DESIGN.md "Labels and names on alerts"): a known severity
 * tier and category, the required labels and annotations, a static one-sentence `summary` ending
 * with a period, a templated `description`, CamelCase alert names of at most 40 characters,
 * `level:metric:operations` recording rule names, and `for` within the bounds of its tier.
 */
import { isAlertingRule } from '../compile/prometheus/index.ts';
import { ALERT_SEVERITIES, type AlertSeverity, CATEGORIES, LABEL } from '../conventions.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { formatSeconds } from '../model/units.ts';
import { durationOf, isConstantValued } from '../promql/index.ts';
import { type LintContext, placeRuleFindings, type RuleFinding, type RuleRef } from './context.ts';

/**
 * Bounds of an alert's `for` per tier, seconds. Critical and warning alerts hold for at least one
 * evaluation of their group (lint checks that minimum against the group's interval), so a single
 * bad evaluation notifies nobody. A page waiting longer than 15 minutes is not urgent (make it a
 * warning); a warning waiting longer than 4 hours (its repeat interval) is an info; info alerts
 * go out in a daily digest, so a day is their longest useful wait.
 */
const FOR_BOUNDS: Readonly<
  Record<AlertSeverity, { readonly oneEvaluation: boolean; readonly maxSeconds: number }>
> = {
  critical: { oneEvaluation: true, maxSeconds: 15 * 60 },
  warning: { oneEvaluation: true, maxSeconds: 4 * 3_600 },
  info: { oneEvaluation: false, maxSeconds: 86_400 },
  // The heartbeat fires from the first evaluation: waiting only delays the dead-man's switch.
  none: { oneEvaluation: false, maxSeconds: 0 },
};

/** Recording rule names, `level:metric:operations` (three non-empty parts). */
const RECORDING_RULE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

/** Alert names title notifications and name runbook files: CamelCase, at most this long. */
const MAX_ALERT_NAME_LENGTH = 40;

/** Annotations every generated alert carries. */
const REQUIRED_ALERT_ANNOTATIONS = ['summary', 'description', 'runbook_url', 'dashboard_url'] as const;

/** Labels every generated alert carries (`slo` too on SLO alerts); lint reports a missing one. */
const REQUIRED_ALERT_LABELS = [LABEL.severity, LABEL.category, LABEL.service, LABEL.environment] as const;

const CAMEL = /^[A-Z][A-Za-z0-9]*$/;
/** A sentence break before the end: `. ` followed by more text. */
const SENTENCE_BREAK = /[.!?]\s+\S/;

function alertFindings(ref: RuleRef, intervalSeconds: number | undefined): RuleFinding[] {
  const rule = ref.rule;
  if (!isAlertingRule(rule)) return [];
  const out: RuleFinding[] = [];
  const add = (code: string, field: (string | number)[], message: string, hint: string) =>
    out.push({ ref, code, field, message, hint });
  const name = rule.alert;
  if (!CAMEL.test(name))
    add(
      'conventions/alert-name',
      ['name'],
      `alert name ${name} is not CamelCase`,
      'write it like HighErrorRate',
    );
  if (name.length > MAX_ALERT_NAME_LENGTH)
    add(
      'conventions/alert-name',
      ['name'],
      `the name has ${name.length} characters, more than ${MAX_ALERT_NAME_LENGTH}`,
      'shorten it: it titles every notification and names the runbook file',
    );
  const labels = rule.labels ?? {};
  const required: string[] = [
    ...REQUIRED_ALERT_LABELS,
    ...(labels[LABEL.category] === 'slo' ? [LABEL.slo] : []),
  ];
  for (const label of required)
    if (labels[label] === undefined || labels[label] === '')
      add(
        'conventions/required-label',
        ['labels', label],
        `no ${label} label`,
        'every alert carries severity, category, service and environment (and slo on SLO alerts)',
      );
  const severity = labels[LABEL.severity];
  if (severity !== undefined && !(ALERT_SEVERITIES as readonly string[]).includes(severity))
    add(
      'conventions/severity',
      ['labels', LABEL.severity],
      `severity ${JSON.stringify(severity)} is not a tier`,
      `use one of ${ALERT_SEVERITIES.join(', ')}`,
    );
  const category = labels[LABEL.category];
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category))
    add(
      'conventions/category',
      ['labels', LABEL.category],
      `category ${JSON.stringify(category)} is not a known category`,
      `use one of ${CATEGORIES.join(', ')}`,
    );
  const annotations = rule.annotations ?? {};
  for (const key of REQUIRED_ALERT_ANNOTATIONS)
    if (annotations[key] === undefined || annotations[key].trim() === '')
      add(
        'conventions/required-annotation',
        ['annotations', key],
        `no ${key} annotation`,
        'every alert carries summary, description, runbook_url and dashboard_url',
      );
  const summary = annotations.summary?.trim();
  if (summary) {
    if (summary.includes('{{'))
      add(
        'conventions/summary',
        ['summary'],
        `the summary is templated: ${JSON.stringify(summary)}`,
        'the summary titles notifications that group many alerts: keep it static and move values into description',
      );
    else if (!summary.endsWith('.'))
      add(
        'conventions/summary',
        ['summary'],
        `the summary does not end with a period: ${JSON.stringify(summary)}`,
        'write one sentence ending with a period',
      );
    else if (SENTENCE_BREAK.test(summary.slice(0, -1)))
      add(
        'conventions/summary',
        ['summary'],
        `the summary is more than one sentence: ${JSON.stringify(summary)}`,
        'keep one sentence; put the rest into description',
      );
  }
  const description = annotations.description;
  // An alert whose value is constant (a `== 0` filter, absent(), vector(1)) has no value to show.
  const constant = ref.parsed.ok && isConstantValued(ref.parsed.root);
  if (description && !description.includes('{{') && !constant)
    add(
      'conventions/description',
      ['description'],
      'the description is not templated, so notifications cannot show the value that fired',
      'show the value and the labels: {{ $value | humanize }}, {{ $labels.<name> }}',
    );
  if (severity !== undefined && (ALERT_SEVERITIES as readonly string[]).includes(severity)) {
    const bounds = FOR_BOUNDS[severity as AlertSeverity];
    const forSeconds = rule.for === undefined ? 0 : (durationOf(rule.for) ?? 0);
    const min = bounds.oneEvaluation ? (intervalSeconds ?? 0) : 0;
    if (forSeconds > bounds.maxSeconds)
      add(
        'conventions/for-bounds',
        ['for'],
        `for ${rule.for} is above the ${formatSeconds(bounds.maxSeconds)} bound of ${severity} alerts`,
        severity === 'none'
          ? 'a heartbeat fires at once: for 0s'
          : severity === 'info'
            ? 'an info alert waits at most a day'
            : `alert sooner, or make it a ${severity === 'critical' ? 'warning' : 'info'} alert`,
      );
    else if (forSeconds < min || (bounds.oneEvaluation && forSeconds === 0))
      add(
        'conventions/for-bounds',
        ['for'],
        `for ${rule.for ?? '0s'} is shorter than one evaluation (${formatSeconds(min)}): a single bad evaluation would notify`,
        `hold for at least ${formatSeconds(Math.max(min, 1))}`,
      );
  }
  return out;
}

export function lintRuleConventions(ctx: LintContext): Diagnostic[] {
  const findings: RuleFinding[] = [];
  const intervals = new Map<string, number | undefined>();
  for (const doc of ctx.documents) {
    if (doc.format !== 'yaml' || !doc.path.startsWith('prometheus/')) continue;
    for (const g of (doc.value as { groups?: { name: string; interval?: string }[] }).groups ?? [])
      intervals.set(
        `${doc.path}\u0000${g.name}`,
        g.interval === undefined ? undefined : durationOf(g.interval),
      );
  }
  for (const ref of ctx.rules) {
    const interval = intervals.get(`${ref.path}\u0000${ref.group}`) ?? ref.service.evaluationInterval;
    if (isAlertingRule(ref.rule)) findings.push(...alertFindings(ref, interval));
    else if (!RECORDING_RULE_NAME.test(ref.rule.record))
      findings.push({
        ref,
        code: 'conventions/record-name',
        field: ['record'],
        message: `recording rule name ${ref.rule.record} is not level:metric:operations`,
        hint: 'name it like job:http_requests:rate5m (aggregation level, metric, operations)',
      });
  }
  return placeRuleFindings(ctx, findings);
}
