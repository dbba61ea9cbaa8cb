/** Packs scenarios into promtool tests: longest first, into the first test they do not clash with. */
import type { PromtoolTest, Scenario } from './types.ts';

/** One promtool test and the scenarios it holds (their checks, in order). */
export interface PackedTest {
  readonly test: PromtoolTest;
  readonly scenarios: readonly Scenario[];
}

interface Bin {
  readonly scenarios: Scenario[];
  readonly owners: Set<string>;
  readonly series: Set<string>;
  readonly metrics: Set<string>;
  readonly interval: string;
}

const fits = (bin: Bin, scenario: Scenario): boolean =>
  bin.interval === scenario.interval &&
  !bin.owners.has(scenario.owner) &&
  scenario.input_series.every((s) => !bin.series.has(s.series)) &&
  scenario.metrics.every((m) => !bin.metrics.has(m));

/** promtool tests holding every scenario, each with the scenarios it holds. */
export function packTests(scenarios: readonly Scenario[]): PackedTest[] {
  const ordered = [...scenarios].sort((a, b) => b.seconds - a.seconds);
  const bins: Bin[] = [];
  for (const scenario of ordered) {
    let bin = bins.find((b) => fits(b, scenario));
    if (!bin) {
      bin = {
        scenarios: [],
        owners: new Set(),
        series: new Set(),
        metrics: new Set(),
        interval: scenario.interval,
      };
      bins.push(bin);
    }
    bin.scenarios.push(scenario);
    bin.owners.add(scenario.owner);
    for (const s of scenario.input_series) bin.series.add(s.series);
    for (const m of scenario.metrics) bin.metrics.add(m);
  }
  return bins.map((bin) => {
    const alertTests = bin.scenarios.flatMap((s) => s.alert_rule_test ?? []);
    const exprTests = bin.scenarios.flatMap((s) => s.promql_expr_test ?? []);
    const test: PromtoolTest = {
      name: bin.scenarios.map((s) => s.name).join('; '),
      interval: bin.interval,
      input_series: bin.scenarios.flatMap((s) => s.input_series),
      ...(alertTests.length > 0 ? { alert_rule_test: alertTests } : {}),
      ...(exprTests.length > 0 ? { promql_expr_test: exprTests } : {}),
    };
    return { test, scenarios: bin.scenarios };
  });
}

/** promtool tests holding every scenario; a test's name lists what it proves. */
export const packScenarios = (scenarios: readonly Scenario[]): PromtoolTest[] =>
  packTests(scenarios).map((p) => p.test);
