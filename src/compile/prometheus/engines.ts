/**
 * The rule groups as each engine loads them. The groups are the very groups of the Prometheus rule
 * file (which promtool checks and the generated tests prove) with the fields the engine takes added,
 * and none it would refuse: Thanos Ruler and Mimir decode rule files strictly (unknown fields are
 * errors), promtool 2.42 and vmalert refuse `query_offset` and `partial_response_strategy`.
 */
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment, RuleEngine } from '../../model/service.ts';
import type { RuleFile, RuleGroup } from './types.ts';

/** The engine of an environment. */
export const engineOf = (env: Environment): RuleEngine => env.engine ?? 'prometheus';

/** Engines that load the Prometheus rule files of generated/prometheus/<env>/ as they are. */
export const readsPrometheusRuleFiles = (engine: RuleEngine): boolean =>
  engine === 'prometheus' || engine === 'vmalert';

/**
 * Engines that read PrometheusRule objects: Prometheus and Thanos Ruler through the Prometheus
 * Operator. vmalert's operator wants VMRule objects and Mimir loads rules through its API
 * (mimirtool), so neither gets PrometheusRule objects that nothing would evaluate.
 */
export const readsPrometheusRules = (engine: RuleEngine): boolean =>
  engine === 'prometheus' || engine === 'thanos-ruler';

/** A rule group with the fields its engine takes in this environment. */
export function toEngineGroup(group: RuleGroup, env: Environment): RuleGroup {
  const engine = engineOf(env);
  const offset = env.ruler?.queryOffset;
  if (engine === 'thanos-ruler')
    return {
      name: group.name,
      ...(group.interval ? { interval: group.interval } : {}),
      partial_response_strategy: env.ruler?.partialResponseStrategy ?? 'abort',
      ...(offset ? { query_offset: offset } : {}),
      rules: group.rules,
    };
  if (engine === 'mimir')
    return {
      name: group.name,
      ...(group.interval ? { interval: group.interval } : {}),
      ...(offset ? { query_offset: offset } : {}),
      rules: group.rules,
    };
  return group;
}

/** The rule file of a service for Thanos Ruler. */
export const toThanosRuleFile = (rules: RuleFile, env: Environment): RuleFile => ({
  groups: rules.groups.map((g) => toEngineGroup(g, env)),
});

/** Path of a service's Thanos Ruler rule file under generated/. */
export const thanosRuleFilePath = (svc: ResolvedService, env: Environment): string =>
  `thanos-ruler/${env.name}/${svc.name}.rules.yaml`;

/** The Mimir tenant of a service's rules in an environment: the setting, else the team. */
export const mimirTenant = (svc: ResolvedService, env: Environment): string => env.ruler?.tenant ?? svc.team;

/** The Mimir rule namespace of a service's rules in an environment: the setting, else the service name. */
export const mimirNamespace = (svc: ResolvedService, env: Environment): string =>
  env.ruler?.namespace ?? svc.name;

/**
 * Path of a Mimir rule namespace file under generated/: one folder per tenant, so
 * `mimirtool rules sync --id=<tenant> --rule-dirs=generated/mimir/<env>/<tenant>` loads it.
 */
export const mimirNamespacePath = (env: string, tenant: string, namespace: string): string =>
  `mimir/${env}/${tenant}/${namespace}.yaml`;
