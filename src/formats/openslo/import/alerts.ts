/**
 * OpenSLO alert policies into the model's SLO alerting options.
 *
 * When the burnrate conditions name exactly the window pairs obsgen derives from the period (page:
 * 14.4x and 6x, ticket: 3x and 1x, windows scaled from 1h, 6h, 1d and 3d of a 30 day period), with
 * `op: gt`, `alertAfter` (when given) = the pair's `for` and a severity of the pair's tier, whole
 * tiers are switched on, as `obsgen export openslo` writes them. Any other set of conditions
 * compiles to exactly those alerts, as explicit `alerting.windows`: long window = lookbackWindow,
 * factor = threshold, `for` = alertAfter (obsgen's long/30 when left out), short window = long /
 * 12, severity critical (critical, page) or warning (warning, ticket). Refused: ops lt and lte (a
 * burn rate under a threshold is not an alert on burning budget) and other severities. An SLO
 * without alert policies gets no burn alerts (as in Sloth's OpenSLO reader).
 */

import type { ExplicitBurnWindow, SloAlerting } from '../../../model/slo.ts';
import { compare, type Duration, formatRational, formatSeconds, rationalOf } from '../../../model/units.ts';
import type { BurnTier, WindowPair } from '../../../model/windows.ts';
import { shorthand, shorthandSeconds } from '../durations.ts';
import type { SloOptions } from './annotations.ts';
import type { Path } from './diagnostics.ts';
import type { AlertConditionSpecV1, AlertPolicySpecV1 } from './v1-schema.ts';

/** A policy attached to an SLO, its condition resolved (undefined when the reference did not resolve). */
export interface AttachedPolicy {
  readonly name: string;
  readonly spec: AlertPolicySpecV1;
  readonly condition?: { readonly name: string; readonly spec: AlertConditionSpecV1 };
  /** Path of the policy inside the SLO object. */
  readonly path: Path;
}

export interface AlertProblem {
  readonly code: string;
  readonly path: Path;
  readonly message: string;
  readonly hint?: string;
}

export interface MappedAlerting {
  readonly page: boolean;
  readonly ticket: boolean;
  readonly noData: boolean;
  /** The conditions as explicit pairs, when they are not the derived pairs. */
  readonly windows?: readonly ExplicitBurnWindow[];
}

const SEVERITIES: Record<BurnTier, readonly string[]> = {
  page: ['critical', 'page'],
  ticket: ['warning', 'ticket'],
};

/** What a burnrate condition for `pair` says, as text for messages. */
export const describePair = (pair: WindowPair): string =>
  `${pair.tier} (severity ${pair.severity}): threshold ${formatRational(pair.factor)}, lookbackWindow ${shorthand(pair.long) ?? formatSeconds(pair.long)}, alertAfter ${shorthand(pair.forSeconds) ?? `${formatSeconds(pair.forSeconds)} (leave it out)`}`;

/** Maps the policies of one SLO onto the tiers of its derived window pairs. */
function derivedAlerting(
  policies: readonly AttachedPolicy[],
  pairs: readonly WindowPair[],
  period: string,
): { alerting: MappedAlerting; problems: AlertProblem[] } {
  const problems: AlertProblem[] = [];
  const matched = new Set<WindowPair>();
  let noData = false;
  const available = pairs.map(describePair).join('; ');
  for (const policy of policies) {
    if (policy.spec.alertWhenNoData === true) noData = true;
    // A policy that does not alert on breaches only contributes its no-data setting.
    if (policy.spec.alertWhenBreaching !== true || !policy.condition) continue;
    const { name, spec } = policy.condition;
    const c = spec.condition;
    const at = [...policy.path, 'spec', 'conditions', 0];
    const refuse = (
      message: string,
      hint = `the burn-rate pairs of this SLO's ${period} period are: ${available}`,
    ) => problems.push({ code: 'openslo/unsupported-alert-condition', path: at, message, hint });
    if (c.op !== 'gt') {
      refuse(
        `condition ${name}: op ${c.op} is not supported; obsgen burn-rate alerts fire when the burn rate is above the threshold`,
        'write op: gt',
      );
      continue;
    }
    const lookback = shorthandSeconds(c.lookbackWindow);
    const threshold = rationalOf(c.threshold);
    const pair = pairs.find((p) => p.long === lookback && compare(p.factor, threshold) === 0);
    if (!pair) {
      refuse(
        `condition ${name}: a burn rate above ${c.threshold} over ${c.lookbackWindow} is not one of the window pairs obsgen derives for a ${period} period`,
      );
      continue;
    }
    if (c.alertAfter !== undefined && shorthandSeconds(c.alertAfter) !== pair.forSeconds) {
      refuse(
        `condition ${name}: alertAfter ${c.alertAfter} differs from the ${formatSeconds(pair.forSeconds)} obsgen waits for this pair`,
      );
      continue;
    }
    if (!SEVERITIES[pair.tier].includes(spec.severity)) {
      refuse(
        `condition ${name}: severity ${JSON.stringify(spec.severity)} does not match the ${pair.tier} tier of this pair (${SEVERITIES[pair.tier].join(' or ')})`,
      );
      continue;
    }
    matched.add(pair);
  }
  const tier = (t: BurnTier): boolean => {
    const ofTier = pairs.filter((p) => p.tier === t);
    const missing = ofTier.filter((p) => !matched.has(p));
    if (missing.length > 0 && missing.length < ofTier.length)
      problems.push({
        code: 'openslo/unsupported-alert-condition',
        path: policies[0]?.path.slice(0, -1) ?? [],
        message: `the ${t} tier is switched on or off as a whole, but no alert policy names its pair ${missing.map(describePair).join('; ')}`,
        hint: `add a policy with that condition, or remove the other ${t} conditions`,
      });
    return missing.length === 0;
  };
  return { alerting: { page: tier('page'), ticket: tier('ticket'), noData }, problems };
}

/**
 * The policies of one SLO as whole tiers of its derived pairs when they name exactly those, else
 * as explicit window pairs: each burnrate condition one alert.
 */
export function mapAlerting(
  policies: readonly AttachedPolicy[],
  pairs: readonly WindowPair[],
  period: string,
): { alerting: MappedAlerting; problems: AlertProblem[] } {
  const derived = derivedAlerting(policies, pairs, period);
  if (derived.problems.length === 0) return derived;
  const problems: AlertProblem[] = [];
  const windows: ExplicitBurnWindow[] = [];
  let noData = false;
  for (const policy of policies) {
    if (policy.spec.alertWhenNoData === true) noData = true;
    if (policy.spec.alertWhenBreaching !== true || !policy.condition) continue;
    const { name, spec } = policy.condition;
    const c = spec.condition;
    const at = [...policy.path, 'spec', 'conditions', 0];
    if (c.op === 'lt' || c.op === 'lte') {
      problems.push({
        code: 'openslo/unsupported-alert-condition',
        path: at,
        message: `condition ${name}: op ${c.op} alerts while the burn rate is under ${c.threshold}, which is not an alert on burning error budget`,
        hint: 'write op: gt (or gte)',
      });
      continue;
    }
    const severity = SEVERITIES.page.includes(spec.severity)
      ? 'critical'
      : SEVERITIES.ticket.includes(spec.severity)
        ? 'warning'
        : undefined;
    if (!severity) {
      problems.push({
        code: 'openslo/unsupported-alert-condition',
        path: [...policy.path, 'spec', 'conditions', 0],
        message: `condition ${name}: severity ${JSON.stringify(spec.severity)} is not one obsgen routes`,
        hint: 'write critical (or page) for alerts that page, warning (or ticket) for the others',
      });
      continue;
    }
    windows.push({
      long: formatSeconds(shorthandSeconds(c.lookbackWindow)) as Duration,
      factor: c.threshold,
      severity,
      ...(c.alertAfter !== undefined
        ? { for: formatSeconds(shorthandSeconds(c.alertAfter)) as Duration }
        : {}),
    });
  }
  return { alerting: { page: true, ticket: true, noData, windows }, problems };
}

/** The model's alerting options: the tiers the policies switch on, then what the annotations add. */
export function alertingOf(mapped: MappedAlerting, extra: SloOptions): SloAlerting | undefined {
  const alerting: { -readonly [K in keyof SloAlerting]: SloAlerting[K] } = {};
  if (mapped.windows) alerting.windows = mapped.windows;
  if (!mapped.page) alerting.page = false;
  if (!mapped.ticket) alerting.ticket = false;
  const noData = extra.noData ?? mapped.noData;
  if (!noData) alerting.noData = false;
  if (extra.labels) alerting.labels = extra.labels;
  if (extra.annotations) alerting.annotations = extra.annotations;
  if (extra.runbookUrl !== undefined) alerting.runbookUrl = extra.runbookUrl;
  return Object.keys(alerting).length > 0 ? alerting : undefined;
}
