/**
 * Math shapes. The long replays of an SLO's proof (every pair's outage, steady burns at half, one
 * and between the tiers' rates, each threshold from both sides, bursts, one bad sample) prove the
 * window math, which depends on the windows, factors, `for`, objective, period, the kind of sample
 * and the scrape and evaluation intervals, and on nothing the service names. So each distinct shape
 * is proven once, on a canonical SLO compiled by the same compiler
 * (`tests/shapes/<hash>.rules.yaml`), however many SLOs of however many services share it.
 *
 * Each SLO keeps its own short scenarios against its own rule file (its selectors feed the math:
 * the first pair fires with its labels and resolves; a burst stays silent; no data fires the
 * no-data alert), and `obsgen test` checks, rule for rule, that its recorded windows and burn
 * alerts are the shape's with its own matchers in place of the canonical ones (`shapeMismatch`),
 * so a changed threshold, window or `for` in any pair still fails.
 */
import { createHash } from 'node:crypto';
import { isAlertingRule, type RuleFile, type RuleGroup } from '../../compile/prometheus/index.ts';
import { sloMatchers, toSloRuleGroups } from '../../compile/prometheus/slo-rules.ts';
import { burnAlertName, GROUP, LABEL } from '../../conventions.ts';
import { defineMetrics, select } from '../../model/metrics.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { probeSli, ratioSli, sampleKindOf } from '../../model/slo.ts';
import { formatSeconds } from '../../model/units.ts';

/** The canonical service's contract: a request counter with a failure label, and a probe. */
const SHAPE_METRICS = defineMetrics({
  slo_shape_requests_total: {
    type: 'counter',
    labels: ['namespace', 'code'],
    help: 'Requests of the canonical SLO a math shape is proven on.',
    values: { code: ['ok', 'error'] },
  },
  slo_shape_probe_success: {
    type: 'gauge',
    labels: ['namespace'],
    help: 'Probe results of the canonical SLO a math shape is proven on.',
  },
});

const SHAPE_SERVICE = 'slo-shape';
const SHAPE_SLO = 'shape';
const SHAPE_ENV = 'shape';

/** Label values a normalized rule carries instead of an SLO's own. */
const PLACEHOLDER = '{SLO}';

/** The canonical SLO of a shape: the same windows, objective and period over a canonical SLI. */
function canonicalSlo(slo: ResolvedSlo): ResolvedSlo {
  const requests = SHAPE_METRICS.slo_shape_requests_total;
  const sli =
    sampleKindOf(slo.sli) === 'time'
      ? probeSli({ gauge: select(SHAPE_METRICS.slo_shape_probe_success) })
      : ratioSli({ bad: select(requests, { code: 'error' }), total: select(requests) });
  return {
    ...slo,
    id: SHAPE_SLO,
    description: 'Canonical SLO of a math shape.',
    sli,
    groupBy: [],
    alerting: { ...slo.alerting, noData: false, labels: {}, annotations: {}, runbookUrl: undefined },
  };
}

/**
 * The canonical service of a shape: nothing of the member it was first built from but its
 * intervals and the SLO's math, so the shape's files are the same whichever SLO comes first.
 */
function canonicalService(svc: ResolvedService, slo: ResolvedSlo): ResolvedService {
  const shapeEnv: Environment = {
    name: SHAPE_ENV,
    namespace: SHAPE_ENV,
    runbookBaseUrl: 'https://runbooks.example.org',
    grafanaBaseUrl: 'https://grafana.example.org',
  };
  return {
    name: SHAPE_SERVICE,
    team: SHAPE_SERVICE,
    description: 'Canonical service of a math shape.',
    environments: [shapeEnv],
    metrics: SHAPE_METRICS,
    slos: [canonicalSlo(slo)],
    scrapeInterval: svc.scrapeInterval,
    evaluationInterval: svc.evaluationInterval,
    file: `${SHAPE_SERVICE}.ts`,
    alerts: [],
  };
}

/**
 * The math of an SLO's rule groups as lines: group intervals, every windowed error ratio and meta
 * record (not the two that read the SLI's own series), every burn alert's expression, `for` and
 * window labels. The SLO's matchers are replaced by a placeholder, so two SLOs of one shape give
 * the same lines.
 */
export function mathLines(groups: readonly RuleGroup[], matchers: string, burnAlert: string): string[] {
  const plain = (text: string) => text.split(matchers).join(PLACEHOLDER);
  return groups.flatMap((group, g) => [
    `group ${g} interval ${group.interval ?? ''}`,
    ...group.rules.flatMap((rule, i) => {
      if (isAlertingRule(rule)) {
        if (rule.alert !== burnAlert) return [];
        const windows = [LABEL.longWindow, LABEL.shortWindow, LABEL.severity, LABEL.burnFactor]
          .map((l) => `${l}=${rule.labels[l] ?? ''}`)
          .join(' ');
        return [`alert for ${rule.for ?? '0s'} ${windows}: ${plain(rule.expr)}`];
      }
      // The SLI group's first two rules read the SLI's own series: the SLO's own tests prove them.
      if (g === 0 && i < 2) return [];
      return [`record ${rule.record}: ${plain(rule.expr)}`];
    }),
  ]);
}

/** One SLO's groups in a rule file, in the compiler's order (sli, meta, alerts), or undefined. */
function sloGroups(rules: RuleFile, svc: ResolvedService, slo: ResolvedSlo): RuleGroup[] | undefined {
  const names = [GROUP.sli(svc.name, slo.id), GROUP.meta(svc.name, slo.id), GROUP.alerts(svc.name, slo.id)];
  const found = names.map((n) => rules.groups.find((g) => g.name === n));
  if (!found[0] || !found[1]) return undefined;
  return found.filter((g): g is RuleGroup => g !== undefined);
}

/** A math shape and what proves it. */
export interface MathShape {
  /** First 12 hex digits of the SHA-256 of the shape's math: its name in paths and reports. */
  readonly hash: string;
  /** The canonical service, SLO and environment the shape is proven on. */
  readonly svc: ResolvedService;
  readonly slo: ResolvedSlo;
  readonly env: Environment;
  /**
   * The canonical SLO's rule file, without its meta group: no alert reads the period's ratio, and
   * over days of replay it is the costliest rule (its lines are still compared, see `math`).
   */
  readonly rules: RuleFile;
  /** The math lines every member's rules must match. */
  readonly math: readonly string[];
}

/** Path of a shape's rule file under generated/. */
export const shapeRulesPath = (hash: string): string => `tests/shapes/${hash}.rules.yaml`;
/** Path of a shape's test file under generated/. */
export const shapeTestPath = (hash: string): string => `tests/shapes/${hash}.test.yaml`;

/**
 * The math shape of an SLO in an environment, or undefined when its rules are not a canonical
 * SLO's (the SLO then keeps every scenario in its own file). `evaluation` is the interval the
 * tests replay at.
 */
export function mathShapeOf(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  rules: RuleFile,
  evaluation: number,
): MathShape | undefined {
  if (slo.sli.kind === 'raw') return undefined;
  const own = sloGroups(rules, svc, slo);
  if (!own) return undefined;
  const shape = canonicalShape(svc, slo, evaluation);
  const mine = mathLines(own, sloMatchers(svc, slo, env), burnAlertName(slo.id));
  return mine.join('\n') === shape.math.join('\n') ? shape : undefined;
}

/**
 * Canonical shapes by what they are compiled from, so a fleet's thousands of SLOs compile a
 * handful of canonical SLOs, not one each. The key is plain data; the map holds one entry per distinct shape.
 */
const canonical = new Map<string, MathShape>();

function canonicalShape(svc: ResolvedService, slo: ResolvedSlo, evaluation: number): MathShape {
  const from = JSON.stringify(
    [
      sampleKindOf(slo.sli),
      slo.objective,
      slo.period,
      slo.windows,
      slo.baseWindow,
      slo.alerting.page,
      slo.alerting.ticket,
      svc.scrapeInterval,
      svc.evaluationInterval,
      evaluation,
    ],
    (_, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
  const known = canonical.get(from);
  if (known) return known;
  const shapeSvc = canonicalService(svc, slo);
  const shapeSlo = shapeSvc.slos[0] as ResolvedSlo;
  const shapeEnv = shapeSvc.environments[0] as Environment;
  const groups = toSloRuleGroups(shapeSvc, shapeSlo, shapeEnv);
  const math = mathLines(groups, sloMatchers(shapeSvc, shapeSlo, shapeEnv), burnAlertName(SHAPE_SLO));
  const key = JSON.stringify({
    math,
    samples: sampleKindOf(slo.sli),
    scrape: svc.scrapeInterval,
    evaluation: formatSeconds(evaluation),
  });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const meta = GROUP.meta(SHAPE_SERVICE, SHAPE_SLO);
  const tested = groups.filter((g) => g.name !== meta);
  const shape: MathShape = {
    hash,
    svc: shapeSvc,
    slo: shapeSlo,
    env: shapeEnv,
    rules: { groups: tested },
    math,
  };
  canonical.set(from, shape);
  return shape;
}

/**
 * Why an SLO's rules in `rules` are not its shape's, or undefined when they are: the first line
 * that differs, both ways.
 */
export function shapeMismatch(
  shape: MathShape,
  rules: RuleFile,
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
): string | undefined {
  const own = sloGroups(rules, svc, slo);
  if (!own)
    return `the rule file has no groups ${GROUP.sli(svc.name, slo.id)} and ${GROUP.meta(svc.name, slo.id)}`;
  const mine = mathLines(own, sloMatchers(svc, slo, env), burnAlertName(slo.id));
  const length = Math.max(mine.length, shape.math.length);
  for (let i = 0; i < length; i++)
    if (mine[i] !== shape.math[i])
      return `expected ${shape.math[i] ?? '(nothing)'}\n got ${mine[i] ?? '(nothing)'}`;
  return undefined;
}
