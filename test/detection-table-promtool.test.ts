/**
 * Every row of the README's detection table, replayed with the real promtool: an SLO of the row's
 * objective, window policy and kind of SLI (28 days, 30s scrapes and evaluations) is compiled to
 * its rules, and synthetic series prove when its first page fires, for a total outage and for a
 * steady 10x burn. Each row and incident is a timeline of its own, in a promtool test file with
 * only that row's rules: promtool evaluates every rule of a file at every step, and on a timeline
 * shared by several rows each paid for the longest lead-in and incident among them. Two promtool
 * runs at a time, the longest replays first.
 *
 * Tolerance: one evaluation (30s) on either side of the table's time. promtool evaluates on a 30s
 * grid while the table's times are continuous (the crossing of the threshold plus `for`), and the
 * synthetic series move one 30s sample at a time. Both sides are asserted (the table is neither a
 * loose upper bound nor optimistic), except for a probe's 10x burn (below), held to the upper side.
 *
 * Before each incident every row's series stay healthy for as long as its longest page window
 * (and at least an hour), as in a Prometheus that has been running: a window holding less history
 * reads the same bad minutes as a larger share, and would page earlier than the table says.
 *
 * Not replayed as the table states it, each asserted below:
 * - the 10x burn of the 99.999% probe rows (it pages after 3d11h, on windows of 58h and 139h):
 *   see `REPLAY_BUDGET`;
 * - the 99.999% probe rows' outage lower bound holds for their first page pair only (see `Group`);
 * - a probe's 10x burn is one failed sample every 1 / (10 x budget) samples, not a continuous
 *   ratio: its page may come up to one such spacing after the table's time (see `BURN`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionTable } from '../src/commands/explain.ts';
import { promtoolTestRules } from '../src/commands/test/promtool.ts';
import {
  isAlertingRule,
  type RecordingRule,
  type Rule,
  type RuleFile,
  toRuleFile,
} from '../src/compile/prometheus/index.ts';
import { type Phase, sliInputSeries } from '../src/derive/tests/sli-series.ts';
import type { InputSeries } from '../src/derive/tests/types.ts';
import { toYaml } from '../src/emit/yaml.ts';
import {
  defineEnvironment,
  defineMetrics,
  defineService,
  defineSlo,
  probeSli,
  ratioSli,
  select,
} from '../src/model/index.ts';
import type { ResolvedService, ResolvedSlo } from '../src/model/resolved.ts';
import {
  formatSeconds,
  mul,
  parseDurationMs,
  type Rational,
  rational,
  toNumber,
} from '../src/model/units.ts';
import type { WindowPair } from '../src/model/windows.ts';
import { validateService } from '../src/validate/service.ts';
import { tempDir } from './helpers/tools.ts';

const STEP = 30;
const HOUR = 3_600;

/**
 * Longest replay of one incident, seconds. The 10x burn of a 99.999% probe pages after 3d11h, on
 * windows of 58h and 139h: its replay (58h healthy, then 3d11h) would take longer than the rest
 * of the table together, and its windows would then hold more than the 10,000 samples promtool
 * lets one query load (83h of 30s samples), so those rows prove their outage only.
 */
const REPLAY_BUDGET = 2 * 86_400;

interface Row {
  readonly id: string;
  readonly text: string;
  readonly objective: number;
  readonly policy: 'workbook' | 'scaled';
  readonly sli: 'request' | 'probe';
  readonly pagePairs: string;
  readonly outageSeconds: number;
  readonly burnSeconds: number;
}

const seconds = (text: string): number => {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return ms / 1000;
};

/** The table's rows, read back from the text the README holds. */
function tableRows(): Row[] {
  return detectionTable()
    .split('\n')
    .slice(2)
    .map((text) => {
      const [objective = '', policy = '', sli = '', pagePairs = '', outage = '', , burn = ''] = text
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      const percent = Number(objective.replace('%', ''));
      return {
        id: `o${objective.replace(/[.%]/g, '')}-${policy}-${sli}`,
        text,
        objective: Math.round(percent * 1000) / 100_000,
        policy: policy as Row['policy'],
        sli: sli as Row['sli'],
        pagePairs,
        outageSeconds: seconds(outage),
        burnSeconds: seconds(burn),
      };
    });
}

const env = defineEnvironment({
  name: 'table',
  namespace: 'detection-table',
  runbookBaseUrl: 'https://runbooks.example.net',
  grafanaBaseUrl: 'https://grafana.example.net',
});

const metrics = defineMetrics({
  table_requests_total: {
    type: 'counter',
    help: 'Requests served, by table row and outcome.',
    labels: ['namespace', 'row', 'outcome'],
    values: { outcome: ['served', 'failed'] },
  },
  table_probe_success: { type: 'gauge', help: 'Probe result, by table row.', labels: ['namespace', 'row'] },
});

const sloOf = (row: Row) =>
  defineSlo({
    id: row.id,
    description: `Detection table row: ${row.text}`,
    objective: row.objective,
    period: '28d',
    windows: row.policy,
    // The table is about pages; tickets would only add rules to replay (and a 99.999% probe's 1x
    // ticket window is longer than the period, which validation refuses).
    alerting: { ticket: false },
    sli:
      row.sli === 'request'
        ? ratioSli({
            bad: select(metrics.table_requests_total, { row: row.id, outcome: 'failed' }),
            total: select(metrics.table_requests_total, { row: row.id }),
          })
        : probeSli({ gauge: select(metrics.table_probe_success, { row: row.id }) }),
  });

/** One service holding the rows' SLOs, 30s scrapes and evaluations as the table assumes. */
function serviceOf(name: string, rows: readonly Row[]): ResolvedService {
  const { service, diagnostics } = validateService({
    file: `${name}.ts`,
    exportName: 'default',
    value: defineService({
      name,
      team: 'detection',
      environments: [env],
      metrics,
      scrapeInterval: '30s',
      evaluationInterval: '30s',
      slos: rows.map(sloOf),
    }),
  });
  if (!service) throw new Error(diagnostics.map((d) => `${d.path.join('.')}: ${d.message}`).join('\n'));
  return service;
}

const ceilTo = (value: number, unit: number): number => Math.ceil(value / unit) * unit;
const floorTo = (value: number, unit: number): number => Math.floor(value / unit) * unit;

const pagePairs = (slo: ResolvedSlo): WindowPair[] => slo.windows.filter((p) => p.tier === 'page');

/**
 * Healthy lead-in: the longest page window (or the first page pair's, see `Group`) plus the base
 * window, at least an hour, in whole hours.
 */
const leadIn = (slos: readonly ResolvedSlo[], firstPairOnly: boolean): number =>
  ceilTo(
    Math.max(
      HOUR,
      ...slos.map(
        (s) =>
          Math.max(
            ...pagePairs(s)
              .slice(0, firstPairOnly ? 1 : undefined)
              .map((p) => p.long),
          ) + s.baseWindow,
      ),
    ),
    HOUR,
  );

const pages = (row: Row, extra = ''): string =>
  `ALERTS{alertstate="firing",severity="critical",slo="${row.id}"${extra}}`;

interface Incident {
  readonly name: string;
  /** The steady error ratio of the incident. */
  readonly ratio: (slo: ResolvedSlo) => Rational;
  /** The table's time of the row's first page, seconds. */
  readonly pagesAfter: (row: Row) => number;
  /** Seconds the page may come later than the table's time (beyond the one evaluation). */
  readonly slack: (row: Row, slo: ResolvedSlo) => number;
  /** Whether the page must also not come earlier than the table's time minus one evaluation. */
  readonly bothSides: (row: Row) => boolean;
}

const OUTAGE: Incident = {
  name: 'total outage',
  ratio: () => rational(1n),
  pagesAfter: (row) => row.outageSeconds,
  slack: () => 0,
  bothSides: () => true,
};

const tenTimesBudget = (slo: ResolvedSlo): Rational => mul(slo.errorBudget, rational(10n));

/**
 * A 10x burn of a probe is one failed sample every 1 / (10 x budget) samples (every 5m at 99%,
 * every 8h20m at 99.99%), while the table reads it as a continuous ratio: the page can come up to
 * one such spacing later. Request SLIs carry the ratio in every sample and get no slack.
 */
const BURN: Incident = {
  name: 'steady 10x burn',
  ratio: tenTimesBudget,
  pagesAfter: (row) => row.burnSeconds,
  slack: (row, slo) => (row.sli === 'probe' ? STEP / toNumber(tenTimesBudget(slo)) : 0),
  bothSides: (row) => row.sli === 'request',
};

/** Checks that the row's first page comes within one evaluation of the table's time. */
function pageChecks(row: Row, slo: ResolvedSlo, start: number, incident: Incident, firstPairOnly: boolean) {
  const at = incident.pagesAfter(row);
  // The last evaluation strictly before `at` minus one evaluation; from the start of the replay,
  // so nothing pages while healthy either.
  const lastSilent = start + ceilTo(at - STEP, STEP) - STEP;
  const first = pagePairs(slo)[0];
  const silent = firstPairOnly && first ? `,long_window="${formatSeconds(first.long)}"` : '';
  return [
    ...(incident.bothSides(row)
      ? [
          {
            expr: `max by (slo) (max_over_time(${pages(row, silent)}[${formatSeconds(lastSilent)}]))`,
            eval_time: formatSeconds(lastSilent),
            exp_samples: [],
          },
        ]
      : []),
    {
      expr: `max by (slo) (${pages(row)})`,
      eval_time: formatSeconds(start + floorTo(at + STEP + incident.slack(row, slo), STEP)),
      exp_samples: [{ labels: `{slo="${row.id}"}`, value: 1 }],
    },
  ];
}

/** Rows replayed on one timeline, in one promtool test file. */
interface Group {
  readonly name: string;
  readonly rows: readonly Row[];
  readonly incident: Incident;
  /**
   * The lead-in fills only the first page pair's windows: a 99.999% probe's 8334m window holds
   * 16,668 samples of 30s, more than the 10,000 samples promtool lets one query load. Its other
   * pair then reads a shorter history and may page earlier, so only the first pair is held to
   * the lower bound.
   */
  readonly firstPairOnly: boolean;
}

/** One promtool test: every row's series healthy for the lead-in, then the incident, with its checks. */
function incidentTest(svc: ResolvedService, group: Group) {
  const { incident, firstPairOnly } = group;
  const start = leadIn(svc.slos, firstPairOnly);
  const inputs: InputSeries[] = [];
  const checks = [];
  let run = 0;
  for (const row of group.rows) {
    const slo = svc.slos.find((s) => s.id === row.id);
    if (!slo) throw new Error(`no SLO ${row.id}`);
    run = Math.max(run, ceilTo(incident.pagesAfter(row) + incident.slack(row, slo) + 2 * STEP, STEP));
    checks.push(...pageChecks(row, slo, start, incident, firstPairOnly));
  }
  for (const slo of svc.slos) {
    const phases: Phase[] = [
      { seconds: start, errorRatio: rational(0n) },
      { seconds: run, errorRatio: incident.ratio(slo) },
    ];
    const series = sliInputSeries(slo, env, phases, { step: STEP });
    if (!series) throw new Error(`no series for ${slo.id}`);
    inputs.push(...series);
  }
  return {
    name: `${group.name}: ${incident.name} after ${formatSeconds(start)} healthy`,
    interval: `${STEP}s`,
    input_series: inputs,
    promql_expr_test: checks,
  };
}

/**
 * The compiled rule file without what no alert reads: the meta groups (budget and period figures)
 * and the recorded ratios of the disabled ticket windows, which would only add replay time. With
 * `firstPairOnly` (see `Group`) only the first page pair's alert is kept, and what it reads: the
 * other pair's 139h window, summed at every step, was half the replay of the longest rows. A rule
 * left out can only make the first page come later, never earlier, so the upper bound stays as
 * strict, and the lower bound is asserted of the first pair alone anyway.
 */
function alertRules(svc: ResolvedService, firstPairOnly: boolean): RuleFile {
  const groups = toRuleFile(svc, env).groups.filter((g) => !g.name.endsWith('-meta'));
  const firstLong = new Set(svc.slos.map((s) => formatSeconds(pagePairs(s)[0]?.long ?? 0)));
  const kept = (r: Rule): boolean =>
    !isAlertingRule(r) || !firstPairOnly || firstLong.has(r.labels?.long_window ?? '');
  const rules = groups.flatMap((g) => g.rules).filter(kept);
  const read = new Set<string>();
  let exprs = rules.filter(isAlertingRule).map((r) => r.expr);
  while (exprs.length > 0) {
    const found = rules.filter(
      (r): r is RecordingRule =>
        !isAlertingRule(r) && !read.has(r.record) && exprs.some((e) => e.includes(`${r.record}{`)),
    );
    for (const r of found) read.add(r.record);
    exprs = found.map((r) => r.expr);
  }
  return {
    groups: groups.map((g) => ({
      ...g,
      rules: g.rules.filter((r) => (isAlertingRule(r) ? kept(r) : read.has(r.record))),
    })),
  };
}

/** Runs `jobs` at most `limit` at a time (the machine has two cores). */
async function pooled<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const rows = tableRows();
const beyondBudget = (row: Row): boolean => row.burnSeconds > REPLAY_BUDGET;

/**
 * Every row once per incident, each on its own timeline; the rows beyond the replay budget (the
 * longest replays) first.
 */
const GROUPS: readonly Group[] = [
  ...rows.filter(beyondBudget),
  ...rows.filter((r) => !beyondBudget(r)),
].flatMap((row): Group[] => [
  { name: `${row.id}-outage`, rows: [row], incident: OUTAGE, firstPairOnly: beyondBudget(row) },
  ...(beyondBudget(row)
    ? []
    : [{ name: `${row.id}-burn`, rows: [row], incident: BURN, firstPairOnly: false }]),
]);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-detection-'));
});
afterAll(async () => cleanup?.());

describe('the detection table', () => {
  it('has the rows this test replays', () => {
    expect(rows).toHaveLength(24);
    const services = serviceOf('rows', rows);
    for (const row of rows) {
      const slo = services.slos.find((s) => s.id === row.id);
      const pairs = (slo?.windows ?? [])
        .filter((p) => p.tier === 'page')
        .map((p) => `${formatSeconds(p.long)}/${formatSeconds(p.short)}`)
        .join(', ');
      expect(pairs, row.text).toBe(row.pagePairs);
    }
  });

  it('replays every row once per incident, leaving out only 10x burns beyond the replay budget', () => {
    for (const incident of [OUTAGE, BURN]) {
      const replayed = GROUPS.filter((g) => g.incident === incident).flatMap((g) => g.rows.map((r) => r.id));
      expect(new Set(replayed).size).toBe(replayed.length);
      const left = rows.filter((r) => !replayed.includes(r.id));
      expect(left.map((r) => r.id)).toEqual(
        incident === OUTAGE ? [] : ['o99999-workbook-probe', 'o99999-scaled-probe'],
      );
      for (const row of left) expect(row.burnSeconds).toBeGreaterThan(REPLAY_BUDGET);
    }
  });

  it('holds for every row with the real promtool', { timeout: 300_000 }, async () => {
    const files: string[] = [];
    for (const group of GROUPS) {
      const svc = serviceOf(`table-${group.name}`, group.rows);
      const ruleFile = alertRules(svc, group.firstPairOnly);
      await writeFile(join(dir, `${group.name}.rules.yaml`), toYaml(ruleFile));
      await writeFile(
        join(dir, `${group.name}.test.yaml`),
        toYaml({
          rule_files: [`${group.name}.rules.yaml`],
          evaluation_interval: `${STEP}s`,
          // Each SLO's ratios are recorded before its alerts read them, within one evaluation.
          group_eval_order: ruleFile.groups.map((g) => g.name),
          tests: [incidentTest(svc, group)],
        }),
      );
      files.push(`${group.name}.test.yaml`);
    }
    const runs = await pooled(
      files.map((f) => () => promtoolTestRules([f], dir)),
      2,
    );
    expect(runs.map((r, i) => `${files[i]}: ${r.code === 0 ? 'ok' : r.stderr}`)).toEqual(
      files.map((f) => `${f}: ok`),
    );
  });
});
