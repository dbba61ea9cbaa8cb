/**
 * Drill scenarios and what each must prove. A scenario says what breaks (SLI faults, applied to
 * the first group of every SLI of that kind, and catalog alerts whose firing examples the
 * synthetic service plays); which alerts must fire, whom they must reach and by when is derived
 * from the model: the SLOs whose SLI breaks must page (deadline from `explain`), the named catalog
 * alerts must fire (deadline from their `for` and ranges, or their example's `firesWithin`), alerts
 * that read no metric fire always (the Watchdog), and the receivers come from the generated route
 * tree. Pure.
 */
import type { AmRoute } from '../../compile/alertmanager/index.ts';
import { routeReceivers } from '../../compile/alertmanager/index.ts';
import { type AlertingRule, isAlertingRule, type RuleFile } from '../../compile/prometheus/types.ts';
import { burnAlertName, type Category, LABEL } from '../../conventions.ts';
import type { ResolvedAlert, ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Sli } from '../../model/slo.ts';
import { durationSeconds, parseDurationMs } from '../../model/units.ts';
import { explainPairs } from '../../model/windows.ts';
import { durationSpans, selectedMetricNames } from '../../promql/index.ts';
import type { EngineDelay } from './engine-delay.ts';

/** SLI faults of a scenario. */
export interface DrillFaults {
  /** Probe SLIs (0/1 gauges) report 0. */
  readonly probe?: boolean;
  /** Every request of ratio SLIs fails. */
  readonly errors?: boolean;
  /** Requests of latency SLIs take twice the SLI's threshold. */
  readonly slow?: boolean;
  /** The timestamp of freshness SLIs is already `maxAge` old when the fault starts, and stays put. */
  readonly stale?: boolean;
}

export interface DrillScenario {
  readonly name: string;
  /** What the synthetic service does once the fault starts. */
  readonly summary: string;
  readonly faults: DrillFaults;
  /** Catalog alerts whose firing examples the service plays from the fault's start, time compressed. */
  readonly play: readonly string[];
  /**
   * Kinds (categories) of catalog alerts that must fire and reach their receivers when they read
   * what the scenario breaks, at severity critical or warning (info alerts are for the daily
   * review, trends over weeks, not for a drill of minutes). @default []
   */
  readonly expectKinds: readonly Category[];
}

/**
 * The scenarios of any service: each breaks SLIs by kind and expects the catalog alerts of the
 * matching kinds; which SLOs and alerts that means comes from the service's model.
 */
export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  { name: 'healthy', summary: 'every signal stays healthy', faults: {}, play: [], expectKinds: [] },
  {
    name: 'outage',
    summary: 'probes fail and every request fails',
    faults: { probe: true, errors: true },
    play: [],
    expectKinds: ['availability', 'errors'],
  },
  {
    name: 'error-burst',
    summary: 'every request fails, probes stay up',
    faults: { errors: true },
    play: [],
    expectKinds: ['errors'],
  },
  {
    name: 'slow',
    summary: 'every request takes twice the latency SLO threshold',
    faults: { slow: true },
    play: [],
    expectKinds: ['latency'],
  },
  {
    name: 'stale-data',
    summary: 'the first group of each freshness SLI stops updating, already at the age bound',
    faults: { stale: true },
    play: [],
    expectKinds: ['data'],
  },
  // Instances of `example:<Alert>` for the malaria API, under the names its runbooks use.
  {
    name: 'db-down',
    summary: "the database exporter plays DatabaseConnectionFailure's firing example",
    faults: {},
    play: ['DatabaseConnectionFailure'],
    expectKinds: [],
  },
  {
    name: 'model-degraded',
    summary: "the model accuracy plays ModelAccuracyDrop's firing example",
    faults: {},
    play: ['ModelAccuracyDrop'],
    expectKinds: [],
  },
];

/** Prefix of the scenario that plays one catalog alert's firing example: `example:ApiDown`. */
export const EXAMPLE_SCENARIO = 'example:';

export const scenarioNames = (): string[] => [
  ...DRILL_SCENARIOS.map((s) => s.name),
  `${EXAMPLE_SCENARIO}<Alert>`,
];

/** A scenario by name: a built-in one, or `example:<Alert>` playing that alert's firing example. */
export function findScenario(name: string): DrillScenario | undefined {
  const builtIn = DRILL_SCENARIOS.find((s) => s.name === name);
  if (builtIn || !name.startsWith(EXAMPLE_SCENARIO)) return builtIn;
  const alert = name.slice(EXAMPLE_SCENARIO.length);
  if (alert === '') return undefined;
  return { name, summary: `plays ${alert}'s firing example`, faults: {}, play: [alert], expectKinds: [] };
}

/** SLI kinds each fault breaks. */
const FAULT_KIND: Readonly<Record<keyof DrillFaults, Sli['kind']>> = {
  probe: 'probe',
  errors: 'ratio',
  slow: 'latency',
  stale: 'freshness',
};

/** The SLI kinds a scenario breaks. */
export const brokenSliKinds = (faults: DrillFaults): Set<Sli['kind']> =>
  new Set(
    (Object.keys(FAULT_KIND) as (keyof DrillFaults)[]).filter((k) => faults[k]).map((k) => FAULT_KIND[k]),
  );

/** Contract metrics an SLI reads. */
export function sliMetrics(sli: Sli): string[] {
  switch (sli.kind) {
    case 'ratio':
      return [
        sli.total.metric.name,
        ...(sli.bad ? [sli.bad.metric.name] : []),
        ...(sli.good ? [sli.good.metric.name] : []),
      ];
    case 'latency':
      return [sli.histogram.metric.name];
    case 'probe':
      return [sli.gauge.metric.name];
    case 'freshness':
      return [sli.timestamp.metric.name];
    case 'threshold':
      return [sli.gauge.metric.name];
    case 'raw':
      return [];
  }
}

/** One alert the drill must see reach its receivers. */
export interface ExpectedAlert {
  readonly alertname: string;
  /** Labels it must carry (an SLO page: `severity="critical"`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Receivers it must reach, from the generated route tree. */
  readonly receivers: readonly string[];
  /** Drill seconds after the fault starts by which every receiver must have it. */
  readonly deadlineSeconds: number;
  /** Why it is expected. */
  readonly reason: string;
}

export interface DrillExpectations {
  readonly scenario: DrillScenario;
  readonly expected: readonly ExpectedAlert[];
  /** Alerts that may fire besides the expected ones: they read what the scenario breaks. */
  readonly allowed: readonly string[];
  /** Contract metrics the scenario disturbs. */
  readonly disturbed: readonly string[];
  /** Alerts that read no metric: they fire all the time (the Watchdog). */
  readonly always: readonly string[];
  /** The drill gives up after this many seconds after the fault starts. */
  readonly deadlineSeconds: number;
  /** The drill watches at least this long after the fault starts, even when everything arrived. */
  readonly observeSeconds: number;
}

export class DrillDefinitionError extends Error {}

/** Time the pipeline needs beyond the rules: scrapes, evaluations, notification, a busy machine. */
const slack = (seconds: number): number => Math.ceil(seconds * 1.2) + 15;

const seconds = (duration: string | undefined): number =>
  duration ? (parseDurationMs(duration) ?? 0) / 1000 : 0;

/** The `group_wait` an alert with these labels waits in the route tree, seconds (the longest on its paths). */
export function routeGroupWait(route: AmRoute, labels: Readonly<Record<string, string>>): number {
  const walk = (node: AmRoute, inherited: number): number | undefined => {
    const wait = node.group_wait ? seconds(node.group_wait) : inherited;
    const reached = routeReceivers({ ...node, routes: [] }, labels);
    if (reached.length === 0) return undefined;
    const waits: number[] = [];
    for (const child of node.routes ?? []) {
      const w = walk(child, wait);
      if (w === undefined) continue;
      waits.push(w);
      if (!child.continue) break;
    }
    return waits.length > 0 ? Math.max(...waits) : wait;
  };
  return walk(route, 0) ?? 0;
}

const baseName = (series: string): string => series.replace(/_(bucket|count|sum)$/, '');

/** Alert rules of the (unscaled) rule file by name. */
const rulesNamed = (rules: RuleFile, name: string): AlertingRule[] =>
  rules.groups
    .flatMap((g) => g.rules)
    .filter((r): r is AlertingRule => isAlertingRule(r) && r.alert === name);

/** The longest range an expression reads, seconds. */
const longestRange = (expr: string): number =>
  Math.max(
    0,
    ...durationSpans(expr)
      .filter((s) => s.role === 'range')
      .map((s) => s.ms / 1000),
  );

/** Extra seconds an alert's engine needs beyond what the rules' math says (none: Prometheus). */
export type DelayOf = (alert: string) => EngineDelay;
const NO_DELAY: DelayOf = () => ({ seconds: 0, why: '' });
const withDelay = (reason: string, delay: EngineDelay): string =>
  delay.seconds > 0 ? `${reason}, plus ${delay.why}` : reason;

function pageExpectation(
  slo: ResolvedSlo,
  rules: RuleFile,
  route: AmRoute,
  factor: number,
  delayOf: DelayOf = NO_DELAY,
): ExpectedAlert | undefined {
  const tier = slo.alerting.page ? 'page' : slo.alerting.ticket ? 'ticket' : undefined;
  if (!tier) return undefined;
  const fastest = explainPairs(slo.windows, slo.errorBudget, slo.period)
    .filter((e) => e.pair.tier === tier && e.firesAfterSeconds !== undefined)
    .sort((a, b) => (a.firesAfterSeconds ?? 0) - (b.firesAfterSeconds ?? 0))[0];
  const name = burnAlertName(slo.id);
  const rule = rulesNamed(rules, name).find((r) => r.labels[LABEL.severity] === fastest?.pair.severity);
  if (!fastest || fastest.firesAfterSeconds === undefined || !rule) return undefined;
  const labels = { ...rule.labels, alertname: name };
  const wait = routeGroupWait(route, labels);
  const delay = delayOf(name);
  return {
    alertname: name,
    labels: { [LABEL.severity]: fastest.pair.severity },
    receivers: routeReceivers(route, labels),
    deadlineSeconds: slack(fastest.firesAfterSeconds / factor + wait) + delay.seconds,
    reason: withDelay(
      `the ${slo.id} SLI breaks: a total outage fires its ${fastest.pair.severity} alert after ${Math.ceil(fastest.firesAfterSeconds / factor)}s (explain: ${Math.ceil(fastest.firesAfterSeconds)}s / ${factor}), plus group_wait ${wait}s`,
      delay,
    ),
  };
}

function catalogExpectation(
  alert: ResolvedAlert,
  rules: RuleFile,
  route: AmRoute,
  factor: number,
  played: boolean,
  delayOf: DelayOf = NO_DELAY,
): ExpectedAlert | undefined {
  const rule = rulesNamed(rules, alert.name)[0];
  if (!rule) return undefined;
  const labels = { ...rule.labels, alertname: alert.name };
  const wait = routeGroupWait(route, labels);
  const fires = played
    ? durationSeconds(alert.examples.firing.firesWithin)
    : alert.forSeconds + longestRange(rule.expr);
  const why = played
    ? `its firing example fires within ${alert.examples.firing.firesWithin} (/${factor})`
    : selectedMetricNames(rule.expr).length === 0
      ? 'it reads no metric: it always fires'
      : `it reads what the scenario breaks: for + longest range ${fires}s (/${factor})`;
  const delay = delayOf(alert.name);
  return {
    alertname: alert.name,
    labels: {},
    receivers: routeReceivers(route, labels),
    deadlineSeconds: slack(fires / factor + wait) + delay.seconds,
    reason: withDelay(`${why}, plus group_wait ${wait}s`, delay),
  };
}

/**
 * What a scenario must prove for a service in an environment: `rules` are the generated (unscaled)
 * rules of that environment, `route` the generated route tree, `factor` the drill's time factor,
 * `delayOf` what the engine adds to each alert's deadline (engine-delay.ts).
 */
export function drillExpectations(
  svc: ResolvedService,
  scenario: DrillScenario,
  rules: RuleFile,
  route: AmRoute,
  factor: number,
  delayOf: DelayOf = NO_DELAY,
): DrillExpectations {
  const catalog = svc.alerts ?? [];
  const named = (name: string): ResolvedAlert => {
    const alert = catalog.find((a) => a.name === name);
    if (!alert)
      throw new DrillDefinitionError(
        `scenario ${scenario.name} needs the catalog alert ${name}, which ${svc.name} does not have`,
      );
    return alert;
  };
  const played = scenario.play.map(named);
  const broken = brokenSliKinds(scenario.faults);
  const brokenSlos = svc.slos.filter((slo) => broken.has(slo.sli.kind));
  const disturbed = [
    ...new Set([
      ...brokenSlos.flatMap((slo) => sliMetrics(slo.sli)),
      ...played.flatMap((a) => a.examples.firing.series.map((s) => s.metric.name)),
    ]),
  ].sort();
  const readsDisturbed = (alert: ResolvedAlert): boolean => {
    const expr = rulesNamed(rules, alert.name)[0]?.expr ?? '';
    return selectedMetricNames(expr).some((m) => disturbed.includes(baseName(m)) || disturbed.includes(m));
  };
  const listed = catalog.filter(
    (a) =>
      scenario.expectKinds.includes(a.category) &&
      (a.severity === 'critical' || a.severity === 'warning') &&
      readsDisturbed(a),
  );
  if (scenario.name !== 'healthy' && brokenSlos.length === 0 && played.length === 0 && listed.length === 0)
    throw new DrillDefinitionError(
      `scenario ${scenario.name} breaks nothing of ${svc.name}: it has no SLO with a ${[...broken].join(' or ')} SLI and no ${scenario.expectKinds.join(' or ')} alert reading those series`,
    );
  const always = catalog.filter((a) => {
    const expr = rulesNamed(rules, a.name)[0]?.expr;
    return expr !== undefined && selectedMetricNames(expr).length === 0;
  });
  const catalogExpected = [...played, ...listed, ...always].filter(
    (a, i, all) => all.findIndex((b) => b.name === a.name) === i,
  );
  const expected = [
    ...brokenSlos.flatMap((slo) => pageExpectation(slo, rules, route, factor, delayOf) ?? []),
    ...catalogExpected.flatMap(
      (a) => catalogExpectation(a, rules, route, factor, played.includes(a), delayOf) ?? [],
    ),
  ];
  const allowed = [
    ...new Set([
      ...brokenSlos.map((slo) => burnAlertName(slo.id)),
      ...catalog.filter(readsDisturbed).map((a) => a.name),
    ]),
  ]
    .filter((name) => !expected.some((e) => e.alertname === name && Object.keys(e.labels).length === 0))
    .sort();
  const deadline = Math.max(0, ...expected.map((e) => e.deadlineSeconds));
  // A drill that breaks nothing watches as long as a total outage of any SLO needs to page.
  const breaksNothing = broken.size === 0 && played.length === 0 && listed.length === 0;
  const observe = breaksNothing
    ? Math.max(
        0,
        ...svc.slos.flatMap(
          (slo) => pageExpectation(slo, rules, route, factor, delayOf)?.deadlineSeconds ?? [],
        ),
      )
    : 0;
  return {
    scenario,
    expected,
    allowed,
    disturbed,
    always: always.map((a) => a.name),
    deadlineSeconds: Math.max(deadline, observe),
    observeSeconds: observe,
  };
}
