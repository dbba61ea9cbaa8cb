/** Packs scenarios into promtool tests: longest first, into the first test they do not clash with. */
import type { PromtoolTest, Scenario } from './types.ts';

interface Bin {
  readonly scenarios: Scenario[];
  readonly owners: Set<string>;
  readonly series: Set<string>;
  readonly interval: string;
}

const fits = (bin: Bin, scenario: Scenario): boolean =>
  bin.interval === scenario.interval &&
  !bin.owners.has(scenario.owner) &&
  scenario.input_series.every((s) => !bin.series.has(s.series));

/** promtool tests holding every scenario; a test's name lists what it proves. */
export function packScenarios(scenarios: readonly Scenario[]): PromtoolTest[] {
  const ordered = [...scenarios].sort((a, b) => b.seconds - a.seconds);
  const bins: Bin[] = [];
  for (const scenario of ordered) {
    let bin = bins.find((b) => fits(b, scenario));
    if (!bin) {
      bin = { scenarios: [], owners: new Set(), series: new Set(), interval: scenario.interval };
      bins.push(bin);
    }
    bin.scenarios.push(scenario);
    bin.owners.add(scenario.owner);
    for (const s of scenario.input_series) bin.series.add(s.series);
  }
  return bins.map((bin) => {
    const alertTests = bin.scenarios.flatMap((s) => s.alert_rule_test ?? []);
    const exprTests = bin.scenarios.flatMap((s) => s.promql_expr_test ?? []);
    return {
      name: bin.scenarios.map((s) => s.name).join('; '),
      interval: bin.interval,
      input_series: bin.scenarios.flatMap((s) => s.input_series),
      ...(alertTests.length > 0 ? { alert_rule_test: alertTests } : {}),
      ...(exprTests.length > 0 ? { promql_expr_test: exprTests } : {}),
    };
  });
}
