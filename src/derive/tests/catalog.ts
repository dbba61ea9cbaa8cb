/**
 * promtool unit tests of the alert catalog, derived from each definition's examples: the alert
 * fires on its firing series by `firesWithin` with exactly the expected labels and annotations
 * (the description as Prometheus renders it), and stays silent on its healthy series. Pure.
 */

import { catalogAlertAnnotations, catalogAlertLabels } from '../../compile/prometheus/catalog-rules.ts';
import type { ExampleSeries, FiringExample } from '../../model/alert.ts';
import type { Matchers } from '../../model/metrics.ts';
import type { ResolvedAlert, ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds, formatSeconds } from '../../model/units.ts';
import { renderSelector, selectedMetricNames, selectorMatchers } from '../../promql/index.ts';

import type {
  ExpectedAlert as PromtoolExpectedAlert,
  PromtoolTest,
  PromtoolTestFile,
  Scenario,
} from './types.ts';

export type { PromtoolTestFile } from './types.ts';

const DEFAULT_INTERVAL = '1m';

/** promtool series notation of an example series in an environment: contract, namespace, selector labels. */
export function inputSeries(s: ExampleSeries, env: Environment): string {
  const matchers = selectorMatchers({ metric: s.metric, matchers: s.labels as Matchers }, env);
  return renderSelector(`${s.metric.name}${s.suffix ?? ''}`, matchers, env);
}

const inputs = (list: readonly ExampleSeries[], env: Environment) =>
  list.map((s) => ({ series: inputSeries(s, env), values: s.values }));

function expectedAlerts(
  svc: ResolvedService,
  alert: ResolvedAlert,
  env: Environment,
  firing: FiringExample,
): PromtoolExpectedAlert[] {
  const labels = catalogAlertLabels(alert, env);
  // promtool compares every annotation; a static description renders as written.
  return (firing.alerts ?? [{}]).map((expected) => ({
    exp_labels: { ...labels, ...expected.labels },
    exp_annotations: {
      ...catalogAlertAnnotations(svc, alert, env),
      description: expected.description ?? alert.description,
    },
  }));
}

/** The firing and the healthy test of one alert. */
export function toAlertTests(svc: ResolvedService, alert: ResolvedAlert, env: Environment): PromtoolTest[] {
  const { firing, healthy } = alert.examples;
  // Whole units, the way promtool prints durations (`130m` rather than `2h10m`).
  const evalTime = formatSeconds(durationSeconds(firing.firesWithin));
  const fires: PromtoolTest = {
    name: `${alert.name} fires within ${firing.firesWithin}`,
    interval: firing.interval ?? DEFAULT_INTERVAL,
    input_series: inputs(firing.series, env),
    alert_rule_test: [
      { eval_time: evalTime, alertname: alert.name, exp_alerts: expectedAlerts(svc, alert, env, firing) },
    ],
  };
  if (!healthy) return [fires];
  const silent: PromtoolTest = {
    name: `${alert.name} stays silent on healthy series`,
    interval: healthy.interval ?? DEFAULT_INTERVAL,
    input_series: inputs(healthy.series, env),
    alert_rule_test: [{ eval_time: evalTime, alertname: alert.name, exp_alerts: [] }],
  };
  return [fires, silent];
}

/**
 * Test files for a service's catalog alerts in one environment. promtool evaluates the rules at
 * the file's `evaluation_interval`, so tests are grouped by their input interval and each file
 * evaluates at that interval: a two-week trend example sampled hourly takes 336 evaluations,
 * not 20 160. `ruleFiles` are the rule files the tests load (paths as promtool sees them).
 */
export function toCatalogAlertTests(
  svc: ResolvedService,
  env: Environment,
  alerts: readonly ResolvedAlert[],
  ruleFiles: readonly string[],
): PromtoolTestFile[] {
  const tests = alerts.filter((a) => a.service === svc.name).flatMap((a) => toAlertTests(svc, a, env));
  const intervals = [...new Set(tests.map((t) => t.interval))].sort(
    (a, b) => durationSeconds(a) - durationSeconds(b),
  );
  return intervals.map((interval) => ({
    rule_files: [...ruleFiles],
    evaluation_interval: interval,
    tests: tests.filter((t) => t.interval === interval),
  }));
}

/** `name` of `name{labels}`. */
export const seriesName = (series: string): string => series.replace(/\{.*$/s, '');

/**
 * The catalog tests as scenarios for the service's generated test file, which replays everything
 * at one evaluation interval: each alert owns its scenarios, so packing never mixes an alert's
 * firing and healthy series.
 */
export function toCatalogScenarios(
  svc: ResolvedService,
  env: Environment,
  alerts: readonly ResolvedAlert[],
): Scenario[] {
  return alerts
    .filter((a) => a.service === svc.name)
    .flatMap((alert) =>
      toAlertTests(svc, alert, env).map(
        (t, i): Scenario => ({
          ...t,
          owner: `${alert.name}#${i}`,
          kind: 'example',
          alerts: [alert.name],
          // The firing example comes first, the healthy one second.
          proves: [{ alert: alert.name, fires: i === 0 }],
          metrics: [
            ...new Set([
              ...selectedMetricNames(alert.exprs[env.name] ?? ''),
              ...t.input_series.map((s) => seriesName(s.series)),
            ]),
          ].sort(),
          seconds: durationSeconds(alert.examples.firing.firesWithin),
        }),
      ),
    );
}
