/**
 * Concrete label sets for synthetic series of a contract metric: every declared label gets a value
 * that satisfies the selector's matchers in the environment, drawn from the contract's known
 * `values` where a matcher is a regex or a negation.
 */

import type { MatcherValue, Selector } from '../model/metrics.ts';
import type { Environment } from '../model/service.ts';
import { fullMatch, selectorMatchers } from '../promql/index.ts';

/** Whether `value` satisfies one matcher in `env`. */
export function satisfies(matcher: MatcherValue, value: string, env: Environment): boolean {
  if (typeof matcher === 'string') return value === matcher;
  if ('re' in matcher) return fullMatch(matcher.re, value);
  if ('nre' in matcher) return !fullMatch(matcher.nre, value);
  if ('ne' in matcher) return value !== matcher.ne;
  return value === env.vars?.[matcher.env];
}

/** Fallback values tried for common labels when the contract lists none. */
const COMMON_VALUES: Readonly<Record<string, readonly string[]>> = {
  status: ['200', '500', '503', '404'],
  code: ['200', '500', '503', '404'],
  method: ['GET', 'POST'],
};

/**
 * A label set for one series selected by `sel` in `env`, with `fixed` values taking precedence and
 * `avoid` matchers (another selector's) not satisfied where possible (a good request must not look
 * like a bad one). Undefined when no candidate value satisfies the matchers.
 */
export function seriesLabels(
  sel: Selector,
  env: Environment,
  fixed: Readonly<Record<string, string>> = {},
  avoid: Readonly<Partial<Record<string, MatcherValue>>> = {},
): Record<string, string> | undefined {
  const matchers = selectorMatchers(sel, env);
  const labels: Record<string, string> = {};
  const names = [...new Set([...sel.metric.labels, ...Object.keys(env.selectorLabels ?? {})])].sort();
  const avoidable = Object.keys(avoid).filter(
    (label) => !(label in matchers) || typeof matchers[label] !== 'string',
  );
  for (const label of names) {
    const fixedValue = fixed[label];
    if (fixedValue !== undefined) {
      labels[label] = fixedValue;
      continue;
    }
    const matcher = matchers[label];
    if (typeof matcher === 'string') {
      labels[label] = matcher;
      continue;
    }
    if (matcher !== undefined && 'env' in matcher) {
      labels[label] = env.vars?.[matcher.env] ?? '';
      continue;
    }
    const candidates = [...(sel.metric.values?.[label] ?? []), ...(COMMON_VALUES[label] ?? []), 'synthetic'];
    const fits = candidates.filter((value) => matcher === undefined || satisfies(matcher, value, env));
    const avoiding = avoidable.includes(label)
      ? fits.filter((value) => !satisfies(avoid[label] as MatcherValue, value, env))
      : fits;
    const chosen = avoiding[0] ?? fits[0];
    if (chosen === undefined) return undefined;
    labels[label] = chosen;
  }
  return labels;
}

/**
 * Labels of `sel` for which no value satisfies the selector's matcher in `env`: not a declared
 * `values` entry, not a common value, not `synthetic`. Synthetic series of such a selector cannot
 * exist, so nothing generated from the contract can prove what reads it.
 */
export function unsatisfiableLabels(
  sel: Selector,
  env: Environment,
): { readonly label: string; readonly matcher: MatcherValue; readonly declared: readonly string[] }[] {
  const matchers = selectorMatchers(sel, env);
  return Object.keys(matchers)
    .sort()
    .flatMap((label) => {
      const matcher = matchers[label];
      if (matcher === undefined || typeof matcher === 'string' || 'env' in matcher) return [];
      const declared = sel.metric.values?.[label] ?? [];
      const candidates = [...declared, ...(COMMON_VALUES[label] ?? []), 'synthetic'];
      return candidates.some((value) => satisfies(matcher, value, env)) ? [] : [{ label, matcher, declared }];
    });
}
