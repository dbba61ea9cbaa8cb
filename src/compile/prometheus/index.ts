/** The Prometheus target: one rule file per service and environment. */
import type { ResolvedAlert, ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { toCatalogRuleGroups } from './catalog-rules.ts';
import { toSloRuleGroups } from './slo-rules.ts';
import type { RuleFile } from './types.ts';

export { toCatalogRule, toCatalogRuleGroups } from './catalog-rules.ts';
export {
  engineOf,
  mimirNamespace,
  mimirNamespacePath,
  mimirTenant,
  readsPrometheusRuleFiles,
  readsPrometheusRules,
  thanosRuleFilePath,
  toEngineGroup,
  toThanosRuleFile,
} from './engines.ts';
export type { AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup, RuleNamespaceFile } from './types.ts';
export { isAlertingRule } from './types.ts';

/**
 * Rule groups of a service in an environment: SLO by SLO in definition order, then the service's
 * catalog alerts, one group per category.
 */
export function toRuleFile(
  svc: ResolvedService,
  env: Environment,
  alerts: readonly ResolvedAlert[] = svc.alerts ?? [],
): RuleFile {
  return {
    groups: [
      ...svc.slos.flatMap((slo) => toSloRuleGroups(svc, slo, env)),
      ...toCatalogRuleGroups(svc, env, alerts),
    ],
  };
}

/** Path of the rule file under generated/. */
export const ruleFilePath = (svc: ResolvedService, env: Environment): string =>
  `prometheus/${env.name}/${svc.name}.rules.yaml`;
