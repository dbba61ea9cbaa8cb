/** The Prometheus target: one rule file per service and environment. */
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { toSloRuleGroups } from './slo-rules.ts';
import type { RuleFile } from './types.ts';

export type { AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup } from './types.ts';
export { isAlertingRule } from './types.ts';

/** Rule groups of a service in an environment, SLO by SLO in definition order. */
export function toRuleFile(svc: ResolvedService, env: Environment): RuleFile {
  return { groups: svc.slos.flatMap((slo) => toSloRuleGroups(svc, slo, env)) };
}

/** Path of the rule file under generated/. */
export const ruleFilePath = (svc: ResolvedService, env: Environment): string =>
  `prometheus/${env.name}/${svc.name}.rules.yaml`;
