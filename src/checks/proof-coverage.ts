/**
 * Proofs cannot vanish: every burn-rate alert (each window pair) and every catalog alert has at
 * least one generated scenario that fires it and one that keeps it silent. It reads the derived
 * promtool tests themselves, so whatever makes the derive stage drop a scenario (a selector no
 * declared label value satisfies, a raw SLI, a missing healthy example) is caught here rather than
 * by a reviewer noticing that a test file got shorter.
 */
import { isAlertingRule } from '../compile/prometheus/index.ts';
import { burnAlertName, LABEL } from '../conventions.ts';
import { shapeScenarios, sharedScenario } from '../derive/index.ts';
import type { Proof } from '../derive/tests/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { MatcherValue } from '../model/metrics.ts';
import type { ResolvedService, ResolvedSlo } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { sliSelectors } from '../model/slo.ts';
import { selectedMetricNames } from '../promql/index.ts';
import { unsatisfiableLabels } from '../synth/labels.ts';
import type { LintContext } from './context.ts';

const matcherText = (m: MatcherValue): string =>
  typeof m === 'string'
    ? `="${m}"`
    : 're' in m
      ? `=~"${m.re}"`
      : 'nre' in m
        ? `!~"${m.nre}"`
        : 'ne' in m
          ? `!="${m.ne}"`
          : JSON.stringify(m);

/** Whether a proof covers the rule with these labels. */
const covers = (proof: Proof, alert: string, labels: Readonly<Record<string, string>>): boolean =>
  proof.alert === alert &&
  Object.entries(proof.labels ?? {}).every(([label, value]) => labels[label] === value);

/** Why an SLO's scenarios are missing, as a finding at the field to change. */
function sloFinding(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  rule: string,
  missing: string,
): Diagnostic {
  const where = `service ${svc.name}, environment ${env.name}`;
  if (slo.sli.kind === 'raw')
    return {
      code: 'proof/no-scenario',
      severity: 'warning',
      file: svc.file,
      path: [slo.id, 'sli'],
      message: `${rule} (${where}) has no scenario that ${missing}: a raw PromQL SLI has no metric contract to synthesize series from, so nothing generated proves it`,
      hint: 'express the SLI as ratioSli, latencySli, probeSli or freshnessSli over contract metrics where possible',
    };
  for (const [role, sel] of sliSelectors(slo.sli)) {
    const [bad] = unsatisfiableLabels(sel, env);
    if (!bad) continue;
    // The cause is the SLO's series, not one window pair: name the alert, once.
    rule = burnAlertName(slo.id);
    const declared =
      bad.declared.length > 0 ? `declared values [${bad.declared.join(', ')}]` : 'no declared values';
    return {
      code: 'proof/unmatched-selector',
      severity: 'error',
      file: svc.file,
      path: [slo.id, 'sli', role, 'matchers', bad.label],
      message: `${rule} (${where}) has no scenario that ${missing}: ${bad.label}${matcherText(bad.matcher)} matches none of metric ${sel.metric.name}'s ${declared}, so no series can be generated for it`,
      hint: `declare the values the label takes on the metric, e.g. values: { ${bad.label}: [...] } in defineMetrics, including at least one the matcher selects`,
    };
  }
  return {
    code: 'proof/no-scenario',
    severity: 'error',
    file: svc.file,
    path: [slo.id, 'alerting'],
    message: `${rule} (${where}) has no scenario that ${missing}`,
    hint: 'the window pair cannot be exercised at this scrape and evaluation interval; disable it (alerting.page or alerting.ticket: false) or change the period',
  };
}

export function lintProofCoverage(ctx: LintContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const { svc, env, rules } of ctx.artifacts.services) {
    const tests = ctx.derived.tests.find((t) => t.svc === svc && t.env === env);
    const proofs = [
      ...(tests?.plans.flatMap((p) => p.packed.flatMap((t) => t.scenarios.flatMap((s) => s.proves))) ?? []),
      // An SLO sharing a math shape is proven by the shape's scenarios, on the shape's alert.
      ...(tests?.shapes.flatMap((use) =>
        shapeScenarios(ctx.derived.shapes, use.shape).flatMap((s) => sharedScenario(s, use).proves),
      ) ?? []),
    ];
    const reported = new Set<string>();
    for (const rule of rules.groups.flatMap((g) => g.rules).filter(isAlertingRule)) {
      const slo = svc.slos.find((s) => burnAlertName(s.id) === rule.alert);
      const alert = (svc.alerts ?? []).find((a) => a.name === rule.alert);
      if (!slo && !alert) continue;
      const matching = proofs.filter((p) => covers(p, rule.alert, rule.labels));
      // An expression that reads no series (the Watchdog's vector(1)) fires by design: no series
      // can keep it silent.
      const constant = alert !== undefined && selectedMetricNames(alert.exprs[env.name] ?? '').length === 0;
      const missing = [
        ...(matching.some((p) => p.fires) ? [] : ['fires it']),
        ...(constant || matching.some((p) => !p.fires) ? [] : ['keeps it silent']),
      ].join(' and none that ');
      if (missing === '') continue;
      const pair = slo
        ? ` ${rule.labels[LABEL.severity]} ${rule.labels[LABEL.longWindow]}/${rule.labels[LABEL.shortWindow]}`
        : '';
      const name = `${rule.alert}${pair}`;
      if (slo) {
        const finding = sloFinding(svc, slo, env, name, missing);
        // One finding per SLO and environment when the cause is the SLO's series, not the pair.
        const key = `${slo.id}/${finding.code}`;
        if (finding.code !== 'proof/no-scenario' || slo.sli.kind === 'raw') {
          if (reported.has(key)) continue;
          reported.add(key);
        }
        found.push(finding);
      } else if (alert) {
        found.push({
          code: 'proof/no-scenario',
          severity: 'error',
          file: alert.file,
          path: [alert.name, 'examples', missing.startsWith('fires') ? 'firing' : 'healthy'],
          message: `${rule.alert} (service ${svc.name}, environment ${env.name}) has no scenario that ${missing}`,
          hint: 'give the alert examples: { firing, healthy } with series that fire it and series that keep it silent',
        });
      }
    }
  }
  return found;
}
