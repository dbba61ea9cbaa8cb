/**
 * `npm run bench:rules`: what the generated rule groups cost a real Prometheus, against Sloth-shaped
 * rules for the same SLOs.
 *
 * 1. The malaria API (slos/, production): several days of synthetic history in its metric contract
 *    at realistic cardinality, backfilled with `promtool tsdb create-blocks-from openmetrics`; the
 *    recorded series the rules read over long windows backfilled with `promtool tsdb
 *    create-blocks-from rules`; Prometheus compacts both as it would have over those days; a live
 *    scrape target continues the series. Prometheus then runs without rules (baseline), with the
 *    generated rules, and with the Sloth-shaped rules, one at a time.
 * 2. A fleet of 10, 100 and 1,000 error-rate SLOs (200 series each) built through the same model,
 *    over a short history, to show how the cost grows with the number of SLOs.
 *
 * Rule groups are evaluated every few seconds instead of every 30s so that many evaluations fit in
 * a few minutes; the cost of one evaluation does not depend on the interval, and per-hour figures
 * use each group's real interval. Compaction is off while measuring (the blocks stay as prepared)
 * so it cannot run during a measurement.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import type { RuleFile, RuleGroup } from '../../src/compile/prometheus/index.ts';
import { toRuleFile } from '../../src/compile/prometheus/index.ts';
import { GROUP, RECORD } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/yaml.ts';
import { buildTree, loadProject } from '../../src/index.ts';
import type { Environment } from '../../src/model/index.ts';
import type { ResolvedService } from '../../src/model/resolved.ts';
import { durationSeconds, formatSeconds } from '../../src/model/units.ts';
import { PROMETHEUS_BINARY, type RunningPrometheus, startPrometheus } from '../../src/runtime/prometheus.ts';
import { type SynthFamily, seriesCount, syntheticFamilies } from '../../src/synth/openmetrics.ts';
import { ROOT, tool } from '../helpers/tools.ts';
import { backfillHistory, backfillRules, waitForCompaction } from './backfill.ts';
import { type Exporter, startExporter } from './exporter.ts';
import { measureRuleGroups, median, type PhaseMeasurement, querySamples } from './measure.ts';
import { slothBaseRecord, toSlothRuleFile } from './sloth-shape.ts';
import { fleetRecordingHistory, fleetService, fleetWorkload, malariaWorkload } from './workloads.ts';

const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '4' },
    interval: { type: 'string', default: '5' },
    evaluations: { type: 'string', default: '6' },
    fleet: { type: 'string', default: '10,100,1000' },
    'fleet-history': { type: 'string', default: '30m' },
    'skip-main': { type: 'boolean', default: false },
    'skip-fleet': { type: 'boolean', default: false },
  },
});

const STEP = 30;
/** The global evaluation interval Sloth's groups (which set none) run at: the service's 30s. */
const SLOTH_INTERVAL = 30;
const MEASURE_ARGS = [
  // No compaction while measuring: the prepared blocks stay as they are.
  '--storage.tsdb.min-block-duration=2h',
  '--storage.tsdb.max-block-duration=2h',
  '--storage.tsdb.retention.time=30d',
];

type Shape = 'ours' | 'sloth';
type GroupKind = 'sli' | 'meta' | 'alerts';

interface GroupInfo {
  readonly shape: Shape;
  readonly slo: string;
  readonly kind: GroupKind;
  /** The interval the group runs at in production, seconds. */
  readonly realInterval: number;
  readonly group: RuleGroup;
}

interface PhaseResult {
  readonly measurement: PhaseMeasurement;
  /** Samples loaded per evaluation, per group (only groups that were queried). */
  readonly samples: ReadonlyMap<string, number>;
  /** Active burn alert conditions: `slo[/group] tier`. */
  readonly alerts: readonly string[];
  readonly groups: number;
}

interface Prepared {
  readonly dataDir: string;
  readonly exporter: Exporter;
  /** The Prometheus that compacted the data; it keeps scraping until the phases start. */
  readonly keeper: RunningPrometheus;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`;

const work = await mkdtemp(join(tmpdir(), 'obsgen-bench-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));

/**
 * The SLO groups of a rule file with what they belong to, in file order. Groups of no SLO (the
 * alert catalog's) are left out: Sloth has nothing to compare them with.
 */
function describeGroups(shape: Shape, file: RuleFile, svc: ResolvedService): GroupInfo[] {
  return file.groups.flatMap((group) => {
    const slo = svc.slos.find((s) =>
      shape === 'ours'
        ? [GROUP.sli(svc.name, s.id), GROUP.meta(svc.name, s.id), GROUP.alerts(svc.name, s.id)].includes(
            group.name,
          )
        : group.name.endsWith(`-${svc.name}-${s.id}`),
    );
    if (!slo) return [];
    const kind: GroupKind = /(-sli|sli-recordings-.*)$/.test(group.name)
      ? 'sli'
      : /(-meta|meta-recordings-.*)$/.test(group.name)
        ? 'meta'
        : 'alerts';
    const realInterval = group.interval ? durationSeconds(group.interval) : SLOTH_INTERVAL;
    return [{ shape, slo: slo.id, kind, realInterval, group }];
  });
}

/** The rule file with every group evaluated every `interval` seconds. */
const atInterval = (groups: readonly GroupInfo[], interval: number): string =>
  toYaml({ groups: groups.map((g) => ({ ...g.group, interval: formatSeconds(interval) })) });

/**
 * Recording rules whose history the long windows read (ours' base bad/total, Sloth's base ratio),
 * as `files` rule files of about equal size, for as many promtool processes.
 */
function backfillRuleFiles(groups: readonly GroupInfo[], svc: ResolvedService, files = 2): string[] {
  const wanted = new Set(
    svc.slos.flatMap((slo) => {
      const base = formatSeconds(slo.baseWindow);
      return [RECORD.bad(base), RECORD.total(base), slothBaseRecord(slo)];
    }),
  );
  const sli = groups
    .filter((g) => g.kind === 'sli')
    .map((g) => ({
      name: g.group.name,
      interval: `${STEP}s`,
      rules: g.group.rules.filter((r) => 'record' in r && wanted.has(r.record)),
    }));
  return Array.from({ length: files }, (_, i) => toYaml({ groups: sli.filter((_g, j) => j % files === i) }));
}

function scrapeConfig(exporter: Exporter, interval: number): Record<string, unknown> {
  return {
    global: { scrape_interval: `${STEP}s`, evaluation_interval: `${interval}s` },
    scrape_configs: [
      // honor_labels: the synthetic series carry their own job and instance labels.
      { job_name: 'synthetic', honor_labels: true, static_configs: [{ targets: [exporter.target] }] },
    ],
  };
}

async function activeBurnAlerts(prometheus: RunningPrometheus): Promise<string[]> {
  const alerts = await prometheus.query('ALERTS{alertstate=~"pending|firing"}');
  return alerts
    .filter((a) => a.metric.sloth_slo !== undefined || a.metric.alertname?.endsWith('BudgetBurn'))
    .map((a) => {
      const slo = a.metric.sloth_slo ?? a.metric.slo ?? '?';
      const tier = a.metric.sloth_severity ?? (a.metric.severity === 'critical' ? 'page' : 'ticket');
      const group = a.metric.source ? `/${a.metric.source}` : '';
      return `${slo}${group} ${tier}`;
    })
    .filter((key, i, all) => all.indexOf(key) === i)
    .sort();
}

interface PhaseOptions {
  readonly interval: number;
  readonly warmup: number;
  readonly evaluations: number;
  /** Measure at least this long after the warm-up. @default 0 */
  readonly minSeconds?: number;
  /** Measure at most this long after the warm-up. @default unlimited */
  readonly maxSeconds?: number;
  /** Groups whose rules are queried for their sample counts. @default all */
  readonly sampleGroups?: (g: GroupInfo) => boolean;
}

/** Starts Prometheus on the prepared data with `groups` (or none), measures, stops it. */
async function runPhase(
  title: string,
  setup: Prepared,
  groups: readonly GroupInfo[],
  options: PhaseOptions,
): Promise<PhaseResult> {
  const started = performance.now();
  const prometheus = await startPrometheus({
    dataDir: setup.dataDir,
    rules: groups.length > 0 ? { 'bench.rules.yaml': atInterval(groups, options.interval) } : {},
    config: scrapeConfig(setup.exporter, options.interval),
    args: MEASURE_ARGS,
  });
  try {
    const measurement = await measureRuleGroups(prometheus, {
      groups: groups.length,
      rules: groups.reduce((n, g) => n + g.group.rules.length, 0),
      evaluations: options.evaluations,
      warmup: options.warmup,
      pollMs: Math.min(1_000, (options.interval * 1000) / 4),
      timeoutMs: 600_000,
      minSeconds: options.minSeconds ?? 0,
      ...(options.maxSeconds === undefined ? {} : { maxSeconds: options.maxSeconds }),
      // A rule set that cannot keep up never gets every group warm: measure it anyway.
      maxWarmupSeconds: 30,
    });
    const samples = new Map<string, number>();
    const at = Math.floor(Date.now() / 1000) - 1;
    for (const g of groups.filter(options.sampleGroups ?? (() => true))) {
      let total = 0;
      for (const rule of g.group.rules) total += await querySamples(prometheus, rule.expr, at);
      samples.set(g.group.name, total);
    }
    const alerts = groups.length > 0 ? await activeBurnAlerts(prometheus) : [];
    log(
      `  ${title}: ${seconds(started)}, ${measurement.rounds.toFixed(1)} rounds, ${measurement.missed} missed`,
    );
    return { measurement, samples, alerts, groups: groups.length };
  } finally {
    await prometheus.stop();
  }
}

/**
 * Backfills history and the recorded series the long windows read, and lets Prometheus compact
 * them as it would have over those days (the rules backfill writes one block per rule and 2h).
 * That Prometheus keeps scraping the live exporter until the caller stops it.
 */
async function prepare(
  name: string,
  families: readonly SynthFamily[],
  range: { start: number; end: number },
  recordings: readonly string[],
): Promise<Prepared> {
  const scratch = join(work, name);
  const dataDir = join(scratch, 'data');
  await mkdir(scratch, { recursive: true });
  let started = performance.now();
  const history = await backfillHistory(families, { ...range, step: STEP }, dataDir, scratch, 2);
  log(
    `  ${name} history: ${seriesCount(families)} series, ${(history.samples / 1e6).toFixed(1)}M samples, ` +
      `${(history.bytes / 1e9).toFixed(2)} GB of OpenMetrics, ${history.blocks} blocks, ${seconds(started)}`,
  );
  const exporter = await startExporter(families);
  started = performance.now();
  const keeper = await startPrometheus({
    dataDir,
    config: scrapeConfig(exporter, STEP),
    args: ['--storage.tsdb.retention.time=30d'],
  });
  try {
    const files = recordings.map((_, i) => join(scratch, `backfill-${i}.rules.yaml`));
    await Promise.all(recordings.map((text, i) => writeFile(files[i] as string, text)));
    const blocks = await backfillRules(files, keeper.url, { ...range, step: STEP }, dataDir, scratch);
    log(`  ${name} recorded series: ${blocks} blocks, ${seconds(started)}`);
    started = performance.now();
    const compacted = await waitForCompaction(dataDir);
    log(`  ${name} compacted by Prometheus into ${compacted} blocks, ${seconds(started)}`);
  } catch (error) {
    await keeper.stop();
    await exporter.close();
    throw error;
  }
  return { dataDir, exporter, keeper };
}

async function release(setup: Prepared): Promise<void> {
  await setup.keeper.stop();
  await setup.exporter.close();
  await rm(setup.dataDir, { recursive: true, force: true });
}

const ms = (s: number) =>
  Number.isFinite(s) ? (s * 1000).toFixed(s * 1000 >= 100 ? 0 : s * 1000 >= 10 ? 1 : 2) : '-';
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(1)}x` : '-');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const count = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n)}`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Median seconds per evaluation of each group. */
const groupMedians = (phase: PhaseResult): Map<string, number> =>
  new Map([...phase.measurement.durations].map(([name, d]) => [name, median(d)]));

interface Cost {
  /** Seconds per evaluation of the groups, each once (sum of their medians). */
  readonly perEvaluation: number;
  /** Seconds of evaluation per hour at the groups' real intervals. */
  readonly perHour: number;
  /** Samples loaded by one evaluation of the groups. */
  readonly samples: number;
}

function costOf(groups: readonly GroupInfo[], phase: PhaseResult): Cost {
  const medians = groupMedians(phase);
  let perEvaluation = 0;
  let perHour = 0;
  let samples = 0;
  for (const g of groups) {
    const d = medians.get(g.group.name) ?? Number.NaN;
    perEvaluation += d;
    perHour += (d * 3600) / g.realInterval;
    samples += phase.samples.get(g.group.name) ?? 0;
  }
  return { perEvaluation, perHour, samples };
}

/** Process CPU and allocation per round of all groups, above what the baseline spends meanwhile. */
function perRound(phase: PhaseResult, baseline: PhaseResult): { cpu: number; allocated: number } {
  const m = phase.measurement;
  const b = baseline.measurement;
  const rounds = Math.max(m.rounds, Number.MIN_VALUE);
  return {
    cpu: (m.cpuSeconds - (b.cpuSeconds / b.seconds) * m.seconds) / rounds,
    allocated: (m.allocatedBytes - (b.allocatedBytes / b.seconds) * m.seconds) / rounds,
  };
}

interface MalariaInput {
  readonly svc: ResolvedService;
  readonly ours: GroupInfo[];
  readonly sloth: GroupInfo[];
  readonly families: SynthFamily[];
  readonly range: { start: number; end: number };
  readonly days: number;
}

async function malariaInput(): Promise<MalariaInput> {
  const days = Number(args.days);
  const { project, diagnostics } = await loadProject({ root: ROOT });
  if (!project) throw new Error(`definitions are invalid: ${JSON.stringify(diagnostics)}`);
  const svc = project.services.find((s) => s.name === 'malaria-predictor-api') as ResolvedService;
  const env = svc.environments.find((e) => e.name === 'production') as Environment;
  // The rule file exactly as `obsgen generate` writes it.
  const generated = buildTree(project).get(`prometheus/production/${svc.name}.rules.yaml`) ?? '';
  const ours = describeGroups('ours', YAML.parse(generated) as RuleFile, svc);
  const sloth = describeGroups('sloth', toSlothRuleFile(svc, env), svc);
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP;
  const families = syntheticFamilies(malariaWorkload(svc, env, end, days * 86_400));
  return { svc, ours, sloth, families, range: { start: end - days * 86_400, end }, days };
}

async function benchMalaria(input: MalariaInput, setup: Prepared): Promise<string> {
  const { svc, ours, sloth, families, days } = input;
  const interval = Number(args.interval);
  const evaluations = Number(args.evaluations);
  const warmup = 2;
  log('malaria-predictor-api, production:');
  await setup.keeper.stop();
  const options = { interval, warmup, evaluations };
  const baseline = await runPhase('no rules', setup, [], { ...options, minSeconds: 20 });
  const oursPhase = await runPhase('generated rules', setup, ours, options);
  const slothPhase = await runPhase('Sloth-shaped rules', setup, sloth, options);

  const oursMedians = groupMedians(oursPhase);
  const slothMedians = groupMedians(slothPhase);
  const byKind = (groups: readonly GroupInfo[], medians: Map<string, number>, slo: string) =>
    (['sli', 'meta', 'alerts'] as const)
      .map((kind) => {
        const g = groups.find((x) => x.slo === slo && x.kind === kind);
        return g ? ms(medians.get(g.group.name) ?? Number.NaN) : '-';
      })
      .join(' / ');
  const row = (label: string, o: Cost, s: Cost, oKinds: string, sKinds: string) => [
    label,
    oKinds,
    sKinds,
    ms(o.perEvaluation),
    ms(s.perEvaluation),
    ratio(s.perEvaluation, o.perEvaluation),
    count(o.samples),
    count(s.samples),
    ratio(s.samples, o.samples),
    o.perHour.toFixed(2),
    s.perHour.toFixed(2),
    ratio(s.perHour, o.perHour),
  ];
  const rows = svc.slos.map((slo) =>
    row(
      `${slo.id} (${slo.sli.kind}, ${formatSeconds(slo.period)})`,
      costOf(
        ours.filter((g) => g.slo === slo.id),
        oursPhase,
      ),
      costOf(
        sloth.filter((g) => g.slo === slo.id),
        slothPhase,
      ),
      byKind(ours, oursMedians, slo.id),
      byKind(sloth, slothMedians, slo.id),
    ),
  );
  rows.push(row('**all four**', costOf(ours, oursPhase), costOf(sloth, slothPhase), '', ''));
  const processRow = (name: string, phase: PhaseResult) => {
    const round = perRound(phase, baseline);
    const m = phase.measurement;
    return [
      name,
      `${m.rounds.toFixed(1)}`,
      `${(round.cpu * 1000).toFixed(0)} ms`,
      mb(round.allocated),
      mb(m.heapInuse.median),
      mb(m.heapInuse.max),
      mb(m.maxRss),
    ];
  };
  const b = baseline.measurement;
  const agree = JSON.stringify(oursPhase.alerts) === JSON.stringify(slothPhase.alerts);
  return [
    `### malaria-predictor-api (production): ${days}d of history, ${count(seriesCount(families))} series`,
    '',
    `Median of ${evaluations} evaluations per group (after ${warmup} warm-up), groups evaluated every ${interval}s.`,
    `"ms/eval" sums the medians of the SLO's groups; "eval s/h" is evaluation time per hour at the groups'`,
    `real intervals (generated: as in the rule file; Sloth-shaped: the ${SLOTH_INTERVAL}s global interval).`,
    '',
    table(
      [
        'SLO',
        'generated ms/eval (sli / meta / alerts)',
        'Sloth-shaped ms/eval (sli / meta / alerts)',
        'generated ms/eval',
        'Sloth ms/eval',
        'Sloth/gen.',
        'generated samples/eval',
        'Sloth samples/eval',
        'Sloth/gen.',
        'generated eval s/h',
        'Sloth eval s/h',
        'Sloth/gen.',
      ],
      rows,
    ),
    '',
    `Whole process per round of all groups, above the baseline (no rules: ${((b.cpuSeconds / b.seconds) * 1000).toFixed(0)} ms CPU/s,`,
    `heap in use ${mb(b.heapInuse.median)}, RSS ${mb(b.maxRss)}):`,
    '',
    table(
      [
        'rules',
        'rounds',
        'CPU/round',
        'allocated/round',
        'heap in use (median)',
        'heap in use (max)',
        'RSS (max)',
      ],
      [processRow('generated', oursPhase), processRow('Sloth-shaped', slothPhase)],
    ),
    '',
    `Burn alert conditions at the end (pending or firing): ${agree ? 'the same for both' : 'DIFFERENT'}: `,
    `generated ${oursPhase.alerts.join(', ') || 'none'}; Sloth-shaped ${slothPhase.alerts.join(', ') || 'none'}.`,
    `Missed evaluations: generated ${oursPhase.measurement.missed}, Sloth-shaped ${slothPhase.measurement.missed}.`,
  ].join('\n');
}

interface FleetInput {
  readonly sizes: number[];
  readonly families: SynthFamily[];
  readonly range: { start: number; end: number };
  readonly recordings: readonly string[];
}

function fleetInput(): FleetInput {
  const sizes = String(args.fleet)
    .split(',')
    .map(Number)
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const largest = sizes.at(-1) ?? 1;
  const history = durationSeconds(String(args['fleet-history']));
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP;
  const all = fleetService(largest);
  return {
    sizes,
    families: syntheticFamilies(fleetWorkload(largest, end, history)),
    range: { start: end - history, end },
    recordings: fleetRecordingHistory(all.svc, all.env),
  };
}

/**
 * Interval for N SLOs: short enough for several rounds in a few seconds, long enough that the
 * generated groups of 1,000 SLOs use under a quarter of two cores (the Sloth-shaped ones cannot
 * keep up: their missed evaluations are counted, and CPU is divided by the rounds that did run).
 */
const fleetInterval = (n: number): number => (n >= 1000 ? 15 : 5);

async function benchFleet(input: FleetInput, setup: Prepared): Promise<string> {
  const { sizes, families, range } = input;
  log(`fleet of ${sizes.join(', ')} SLOs:`);
  await setup.keeper.stop();
  const baseline = await runPhase('no rules', setup, [], {
    interval: 5,
    warmup: 0,
    evaluations: 0,
    minSeconds: STEP,
  });
  const rows: string[][] = [];
  const perSlo: { n: number; ours: number; sloth: number }[] = [];
  // Samples per SLO are the same at every size (the same rules over the same data): they are
  // queried once, at the smallest size, where the queries do not wait behind a loaded engine.
  let samples: { ours: number; sloth: number } | undefined;
  for (const n of sizes) {
    const { svc, env } = fleetService(n);
    const ours = describeGroups('ours', toRuleFile(svc, env), svc);
    const sloth = describeGroups('sloth', toSlothRuleFile(svc, env), svc);
    const interval = fleetInterval(n);
    const sampled = new Set(svc.slos.slice(0, 3).map((s) => s.id));
    // One scrape interval of measurement: the scrape of 200k series is the baseline's largest CPU
    // item, and a whole number of scrapes keeps its subtraction fair.
    const window = STEP;
    const options: PhaseOptions = {
      interval,
      warmup: 1,
      evaluations: 2,
      minSeconds: window,
      maxSeconds: window,
      sampleGroups: (g) => samples === undefined && sampled.has(g.slo),
    };
    const o = await runPhase(`${n} SLOs, generated`, setup, ours, options);
    const s = await runPhase(`${n} SLOs, Sloth-shaped`, setup, sloth, options);
    const samplesPerSlo = (groups: readonly GroupInfo[], phase: PhaseResult) =>
      costOf(
        groups.filter((g) => sampled.has(g.slo)),
        phase,
      ).samples / sampled.size;
    samples ??= { ours: samplesPerSlo(ours, o), sloth: samplesPerSlo(sloth, s) };
    const oc = perRound(o, baseline).cpu;
    const sc = perRound(s, baseline).cpu;
    perSlo.push({ n, ours: oc / n, sloth: sc / n });
    const sliMedian = (groups: readonly GroupInfo[], phase: PhaseResult) =>
      ms(
        median(
          groups
            .filter((g) => g.kind === 'sli')
            .flatMap((g) => phase.measurement.durations.get(g.group.name) ?? []),
        ),
      );
    rows.push([
      String(n),
      `${interval}s`,
      `${ms(oc)} ms`,
      ms(oc / n),
      sliMedian(ours, o),
      mb(o.measurement.heapInuse.max),
      `${ms(sc)} ms`,
      ms(sc / n),
      sliMedian(sloth, s),
      mb(s.measurement.heapInuse.max),
      ratio(sc, oc),
      `${o.measurement.missed} / ${s.measurement.missed}`,
    ]);
  }
  const growth = perSlo
    .slice(1)
    .map((p, i) => {
      const prev = perSlo[i] as (typeof perSlo)[number];
      return `${prev.n} -> ${p.n}: x${(p.ours / prev.ours).toFixed(2)} generated, x${(p.sloth / prev.sloth).toFixed(2)} Sloth-shaped`;
    })
    .join('; ');
  return [
    `### Fleet: N error-rate SLOs over 200 series each (${count(seriesCount(families))} series in all), ${formatSeconds(range.end - range.start)} of history`,
    '',
    'CPU of the Prometheus process per round of all groups (above the baseline without rules), divided by',
    'the rounds that ran; "SLI group ms" is the median duration of one SLI group evaluation under that load.',
    'With this short history every window from 30m up reads the whole history, so per-SLO costs are far',
    'below those of the malaria run above; the table shows how cost grows with the number of SLOs.',
    '',
    table(
      [
        'SLOs',
        'interval',
        'generated CPU/round',
        'generated CPU ms/SLO',
        'generated SLI group ms',
        'generated heap max',
        'Sloth CPU/round',
        'Sloth CPU ms/SLO',
        'Sloth SLI group ms',
        'Sloth heap max',
        'Sloth/gen.',
        'missed (gen. / Sloth)',
      ],
      rows,
    ),
    '',
    perSlo.length > 1
      ? `CPU per SLO from one size to the next: ${growth}.`
      : 'One fleet size: no growth to show.',
    `Samples loaded per SLO and evaluation: generated ${count(samples?.ours ?? 0)}, Sloth-shaped ${count(samples?.sloth ?? 0)}.`,
  ].join('\n');
}

const started = performance.now();
const version = (await tool(PROMETHEUS_BINARY, ['--version'])).stdout.split('\n')[0] ?? '';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const sections: string[] = [
  `Rule evaluation benchmark: ${version.trim()}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at start ${load()}.`,
];
try {
  const malaria = args['skip-main'] ? undefined : await malariaInput();
  const fleet = args['skip-fleet'] ? undefined : fleetInput();
  log('preparing history');
  // Both data sets are prepared at once: most of it is waiting for Prometheus to compact.
  const [malariaSetup, fleetSetup] = await Promise.all([
    malaria &&
      prepare(
        'malaria',
        malaria.families,
        malaria.range,
        backfillRuleFiles([...malaria.ours, ...malaria.sloth], malaria.svc),
      ),
    fleet && prepare('fleet', fleet.families, fleet.range, fleet.recordings),
  ]);
  try {
    if (malaria && malariaSetup) sections.push(await benchMalaria(malaria, malariaSetup));
    if (fleet && fleetSetup) sections.push(await benchFleet(fleet, fleetSetup));
  } finally {
    for (const setup of [malariaSetup, fleetSetup]) if (setup) await release(setup);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
sections.push(`Total wall time ${seconds(started)}; load average at the end ${load()}.`);
process.stdout.write(`${sections.join('\n\n')}\n`);
