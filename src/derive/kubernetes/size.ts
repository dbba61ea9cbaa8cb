/**
 * Sizes of what the API server and the operators store, measured on the text obsgen writes.
 */
import { toJson } from '../../emit/json.ts';
import { keptYamlBody, toYaml } from '../../emit/yaml.ts';

/** UTF-8 bytes of a text. */
export const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Bytes of a value as YAML (the rule file the operator writes from a PrometheusRule spec). */
export const yamlBytes = (value: unknown): number => bytes(toYaml(value));

/** Bytes of the header every YAML text starts with (no sources). */
const HEADER_BYTES = bytes(toYaml({ a: 1 })) - bytes('a: 1\n');

/**
 * Bytes of `{ groups }` as YAML by the identity of the groups: those of a rule file measured by
 * `groupBytesTotal`, whose PrometheusRule holds them whole and whose size is checked again.
 */
const measuredGroups = new WeakMap<readonly unknown[], number>();

/** Whether a value's YAML is that of `{ groups: value.groups }`: no other key is written. */
const onlyGroups = (file: object): boolean =>
  Object.entries(file).every(([key, value]) => key === 'groups' || value === undefined);

/**
 * The sum of `yamlBytes({ groups: [g] })` over the groups of a rule file, from the file's YAML
 * written once: the writer writes each item of a sequence on its own, so each group's text is
 * the same alone or with the others, and each alone adds the header and `groups:` once more.
 */
export const groupBytesTotal = (file: { readonly groups: readonly unknown[] }): number => {
  if (file.groups.length === 0) return 0;
  const body = bytes(keptYamlBody(file));
  if (onlyGroups(file)) measuredGroups.set(file.groups, HEADER_BYTES + body);
  return HEADER_BYTES + body + (file.groups.length - 1) * (HEADER_BYTES + bytes('groups:\n'));
};

/** `yamlBytes({ groups })`: the YAML of a PrometheusRule's groups, as the operator writes it. */
export const groupsYamlBytes = (groups: readonly unknown[]): number =>
  measuredGroups.get(groups) ?? yamlBytes({ groups });

/** The dashboard JSON exactly as generated/grafana holds it. */
export const dashboardJson = (dashboard: unknown): string => toJson(dashboard);

/**
 * Consecutive runs of `items` whose sizes add up to at most `budget`, in order. An item larger
 * than the budget gets a run of its own (the size check reports it); order is kept so that a
 * split reads like the unsplit file.
 */
export function packInOrder<T>(items: readonly T[], size: (item: T) => number, budget: number): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && used + n > budget) {
      runs.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += n;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
