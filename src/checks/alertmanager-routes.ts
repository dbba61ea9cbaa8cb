/**
 * Routing: every combination of tier, category and
 * environment (and every generated alert's own labels) reaches a route, instead of falling through
 * to the root's default receiver by accident; a critical alert pages wherever the environment
 * pages, and nothing pages where it does not.
 *
 * Fall-through is told apart from a route that happens to name the default receiver by testing a
 * copy of the configuration whose root receiver is a sentinel no route names. A deliberate
 * catch-all is a route without matchers.
 *
 * The same findings come from two resolvers: Alertmanager's routing as compiled here
 * (`routeReceivers`, so `generate` refuses such a tree without the tools) and the real
 * `amtool config routes test` (lint), which proves the two agree.
 */
import { join } from 'node:path';
import { type AlertmanagerConfig, type AmRoute, routeReceivers } from '../compile/alertmanager/index.ts';
import { isAlertingRule } from '../compile/prometheus/index.ts';
import { CATEGORIES, HEARTBEAT_SEVERITY, LABEL, SEVERITIES } from '../conventions.ts';
import { toYaml, writeFiles } from '../emit/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { fullMatch, labelRegexProblem } from '../promql/index.ts';
import { alertmanagerConfigs, routingFile } from './alertmanager-amtool.ts';
import type { LintContext } from './context.ts';
import { mapLimit, runTool } from './tools.ts';

/** Root receiver of the test copy: reaching it means no route took the alert. */
const UNROUTED = 'obsgen-lint-unrouted';

interface Probe {
  readonly labels: Readonly<Record<string, string>>;
  /** The generated alert these labels are from, or undefined for a tier x category combination. */
  readonly alert: string | undefined;
}

/** Label sets to route in one environment: every tier x category per service, and every alert. */
function probes(ctx: LintContext, env: string): Probe[] {
  const out = new Map<string, Probe>();
  const add = (labels: Record<string, string>, alert: string | undefined) => {
    const key = JSON.stringify(Object.entries(labels).sort());
    if (!out.has(key)) out.set(key, { labels, alert });
  };
  for (const svc of ctx.project.services) {
    if (!svc.environments.some((e) => e.name === env)) continue;
    for (const severity of SEVERITIES)
      for (const category of CATEGORIES)
        add(
          {
            [LABEL.severity]: severity,
            [LABEL.category]: category,
            [LABEL.environment]: env,
            [LABEL.service]: svc.name,
          },
          undefined,
        );
  }
  for (const ref of ctx.rules)
    if (ref.env.name === env && isAlertingRule(ref.rule))
      add({ alertname: ref.rule.alert, ...(ref.rule.labels ?? {}) }, ref.rule.alert);
  return [...out.values()];
}

/** One `label op "value"` matcher of the route tree, as a predicate on a label value. */
interface RouteMatcher {
  readonly label: string;
  readonly test: (value: string) => boolean;
}

/** Matchers of the whole tree; undefined when one cannot be read here (then no grouping). */
function routeMatchers(route: AmRoute): RouteMatcher[] | undefined {
  const own: RouteMatcher[] = [];
  for (const text of route.matchers ?? []) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"$/.exec(text);
    if (!m) return undefined;
    const [, label = '', op, raw = ''] = m;
    const value = raw.replace(/\\(.)/g, '$1');
    if ((op === '=~' || op === '!~') && labelRegexProblem(value) !== undefined) return undefined;
    own.push({
      label,
      test: (v) =>
        op === '=' ? v === value : op === '!=' ? v !== value : fullMatch(value, v) === (op === '=~'),
    });
  }
  const below = (route.routes ?? []).map(routeMatchers);
  if (below.some((b) => b === undefined)) return undefined;
  return [...own, ...below.flatMap((b) => b ?? [])];
}

/**
 * Probes grouped by how the route tree sees them: routing depends only on which matchers hold,
 * so label sets on which every matcher of the tree agrees route alike and one amtool run answers
 * for all of them (a dozen runs instead of a hundred). A tree with a matcher this cannot read
 * gets one run per probe.
 */
function routingClasses(route: AmRoute, list: readonly Probe[]): Probe[][] {
  const matchers = routeMatchers(route);
  const classes = new Map<string, Probe[]>();
  for (const probe of list) {
    const key = matchers
      ? matchers.map((m) => (m.test(probe.labels[m.label] ?? '') ? '1' : '0')).join('')
      : JSON.stringify(Object.entries(probe.labels).sort());
    classes.set(key, [...(classes.get(key) ?? []), probe]);
  }
  return [...classes.values()];
}

/** Receivers a label set reaches in the test copy of a configuration, or why it cannot be told. */
type Answer = { readonly receivers: string[] } | { readonly error: string };
type Resolver = (path: string, labels: Readonly<Record<string, string>>) => Promise<Answer>;

/**
 * A route whose own receiver is reached only by falling through its children gets the sentinel:
 * the root, and each team's sub-tree (whose receiver is that team's default). A parent fanning
 * out to several receivers has children without matchers, so its own receiver is never reached.
 */
const sentinel = (route: AmRoute, root: boolean): AmRoute =>
  route.routes?.length
    ? { ...route, receiver: UNROUTED, routes: route.routes.map((r) => sentinel(r, false)) }
    : root
      ? { ...route, receiver: UNROUTED }
      : route;

/** The configuration with a receiver no route names wherever alerts fall through, so it shows. */
const testCopy = (config: AlertmanagerConfig): AlertmanagerConfig => ({
  ...config,
  route: sentinel(config.route, true),
  receivers: [...config.receivers, { name: UNROUTED }],
});

const testPath = (path: string): string => path.replace(/alertmanager\.yaml$/, 'routes-test.yaml');

/** Routing findings, resolved in process from the compiled route trees. */
export async function lintAlertmanagerRoutes(ctx: LintContext): Promise<Diagnostic[]> {
  const copies = new Map(
    alertmanagerConfigs(ctx).map(({ path, value }) => [path, testCopy(value as AlertmanagerConfig)]),
  );
  return routeFindings(ctx, async (path, labels) => {
    const copy = copies.get(path);
    return copy ? { receivers: routeReceivers(copy.route, labels) } : { error: `no configuration ${path}` };
  });
}

/** Routing findings, asked of the real `amtool config routes test`. */
export async function lintAlertmanagerRoutesAmtool(ctx: LintContext): Promise<Diagnostic[]> {
  const tests = new Map<string, string>();
  for (const { path, value } of alertmanagerConfigs(ctx))
    tests.set(testPath(path), toYaml(testCopy(value as AlertmanagerConfig)));
  const workDir = await ctx.workDir();
  await writeFiles(workDir, tests);
  return routeFindings(ctx, async (path, labels) => {
    const args = [
      'config',
      'routes',
      'test',
      `--config.file=${join(workDir, testPath(path))}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ];
    const run = await runTool('amtool', args);
    return run.code === 0
      ? { receivers: run.stdout.trim().split(',').filter(Boolean) }
      : { error: run.stderr.trim().split('\n').at(-1) ?? `exit ${run.code}` };
  });
}

async function routeFindings(ctx: LintContext, resolve: Resolver): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const { env, path, value } of alertmanagerConfigs(ctx)) {
    const config = value as AlertmanagerConfig;
    const environment = ctx.project.services.flatMap((s) => s.environments).find((e) => e.name === env);
    const paging = new Set(
      config.receivers.filter((r) => (r.pagerduty_configs ?? []).length > 0).map((r) => r.name),
    );
    const classes = routingClasses(config.route, probes(ctx, env));
    const answers = await mapLimit(classes, 4, async ([probe]) => resolve(path, (probe as Probe).labels));
    const file = routingFile(ctx, env, path);
    const failed = answers.find((a): a is { error: string } => 'error' in a);
    if (failed) {
      // An unreadable configuration fails every probe alike: once is enough.
      out.push({
        code: 'routing/amtool',
        severity: 'error',
        file,
        path: ['routes'],
        message: `amtool config routes test cannot route alerts in ${env}: ${failed.error}`,
        hint: 'see amtool check-config for the same configuration',
      });
      continue;
    }
    const unrouted = new Map<string, { categories: Set<string>; alerts: Set<string> }>();
    const paged = new Set<string>();
    for (const [i, members] of classes.entries()) {
      const receivers = (answers[i] as { receivers: string[] }).receivers;
      const pages = receivers.filter((r) => paging.has(r));
      for (const probe of members) {
        const severity = probe.labels[LABEL.severity] ?? '';
        if (receivers.includes(UNROUTED)) {
          const entry = unrouted.get(severity) ?? { categories: new Set(), alerts: new Set() };
          if (probe.alert !== undefined) entry.alerts.add(probe.alert);
          else entry.categories.add(probe.labels[LABEL.category] ?? '');
          unrouted.set(severity, entry);
        }
        if (environment?.paging !== true && pages.length > 0)
          for (const receiver of pages)
            paged.add(`${receiver} (${probe.alert ?? `${severity} ${probe.labels[LABEL.category] ?? ''}`})`);
        if (
          environment?.paging === true &&
          probe.alert !== undefined &&
          severity === 'critical' &&
          pages.length === 0
        )
          out.push({
            code: 'routing/not-paged',
            severity: 'error',
            file,
            path: ['routes'],
            message: `critical alert ${probe.alert} reaches ${receivers.join(', ') || 'nobody'} in ${env}, no paging receiver, though ${env} pages`,
            hint: 'route severity=critical to the paging receiver before any route that stops it (continue: true)',
          });
      }
    }
    if (paged.size > 0)
      out.push({
        code: 'routing/pages',
        severity: 'error',
        file,
        path: ['routes'],
        message: `${env} does not page, but alerts reach paging receivers: ${[...paged].sort().join('; ')}`,
        hint: 'paging receivers belong to environments with paging: true',
      });
    for (const [severity, { categories, alerts }] of unrouted) {
      const what = [
        ...(categories.size > 0 ? [`categories ${[...categories].join(', ')}`] : []),
        ...(alerts.size > 0 ? [`alerts ${[...alerts].sort().join(', ')}`] : []),
      ].join('; ');
      out.push({
        code: 'routing/unrouted',
        severity: 'error',
        file,
        path: ['routes'],
        message: `in ${env}, ${severity} alerts (${what}) match no route and would fall through to the default receiver ${config.route.receiver}`,
        hint:
          severity === HEARTBEAT_SEVERITY
            ? "route the heartbeat by its alertname to the dead-man's-switch receiver, first in the tree"
            : `add a route for severity=${severity}; a deliberate catch-all is a route without matchers`,
      });
    }
  }
  return out;
}
