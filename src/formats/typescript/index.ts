/**
 * Service definitions (as the OpenSLO, Sloth and Pyrra readers produce them) written out as
 * idiomatic TypeScript against the authoring API: a metric contract, typed selectors through it,
 * one defineService per service, each SLO with its comments. `obsgen import` writes these once;
 * from then on the team owns typed definitions.
 */
import type { MatcherValue, Metric, MetricSpec, Selector } from '../../model/metrics.ts';
import type { Environment, Service } from '../../model/service.ts';
import type { Sli, Slo, SloAlerting } from '../../model/slo.ts';

export interface TypeScriptOptions {
  /** Module specifier of the authoring API, as the written files import it. @default 'obsgen' (the package, as a user repository imports it) */
  readonly api?: string;
  /** Where the definitions came from, for the file header (`Sloth examples/getting-started.yml`). */
  readonly source: string;
  /** Comment lines per SLO id. @default none */
  readonly notes?: ReadonlyMap<string, readonly string[]>;
}

/** The project's own import of the authoring API (slos/ files import it so). */
export const DEFAULT_API = 'obsgen';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k));
/** A single-quoted TypeScript string (the project's style). */
const str = (s: string): string =>
  s.includes('\n')
    ? `\`${s.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${')}\``
    : `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const list = (items: readonly string[]): string => `[${items.map(str).join(', ')}]`;
const record = (r: Readonly<Record<string, string | undefined>>): string =>
  `{ ${Object.entries(r)
    .map(([k, v]) => `${key(k)}: ${str(v ?? '')}`)
    .join(', ')} }`;
const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
const comment = (lines: readonly string[], by = ''): string =>
  lines.length === 0 ? '' : `${lines.map((l) => `${by}// ${l}`).join('\n')}\n`;

function matcher(v: MatcherValue, used: Set<string>): string {
  if (typeof v === 'string') return str(v);
  const [fn, arg] = Object.entries(v)[0] as [string, string];
  const name = fn === 'env' ? 'fromEnv' : fn;
  used.add(name);
  return `${name}(${str(arg)})`;
}

function selector(sel: Selector, used: Set<string>): string {
  used.add('select');
  const m = Object.entries(sel.matchers);
  const target = `metrics${IDENT.test(sel.metric.name) ? `.${sel.metric.name}` : `[${str(sel.metric.name)}]`}`;
  return m.length === 0
    ? `select(${target})`
    : `select(${target}, { ${m.map(([k, v]) => `${key(k)}: ${matcher(v as MatcherValue, used)}`).join(', ')} })`;
}

function sliText(sli: Sli, used: Set<string>): string {
  switch (sli.kind) {
    case 'ratio': {
      used.add('ratioSli');
      const parts = [
        ...(sli.bad ? [`bad: ${selector(sli.bad, used)}`] : []),
        ...(sli.good ? [`good: ${selector(sli.good, used)}`] : []),
        `total: ${selector(sli.total, used)}`,
      ];
      return `ratioSli({\n${parts.map((p) => `  ${p},`).join('\n')}\n})`;
    }
    case 'latency':
      used.add('latencySli');
      return `latencySli({ histogram: ${selector(sli.histogram, used)}, threshold: ${sli.threshold} })`;
    case 'probe':
      used.add('probeSli');
      return `probeSli({ gauge: ${selector(sli.gauge, used)} })`;
    case 'freshness':
      used.add('freshnessSli');
      return `freshnessSli({ timestamp: ${selector(sli.timestamp, used)}, maxAge: ${str(sli.maxAge)} })`;
    case 'threshold':
      used.add('thresholdSli');
      return `thresholdSli({ gauge: ${selector(sli.gauge, used)}, below: ${sli.below} })`;
    case 'raw':
      used.add('rawSli');
      return `rawSli({\n  bad: ${str(sli.bad)},\n  total: ${str(sli.total)},\n})`;
  }
}

function alertingText(a: SloAlerting): string {
  const parts: string[] = [];
  if (a.windows) {
    const ws = a.windows.map(
      (w) =>
        `{ long: ${str(w.long)}, ${w.short !== undefined ? `short: ${str(w.short)}, ` : ''}factor: ${w.factor}, severity: ${str(w.severity)}${w.for !== undefined ? `, for: ${str(w.for)}` : ''} },`,
    );
    parts.push(`windows: [\n${indent(ws.join('\n'), '  ')}\n],`);
  }
  if (a.page !== undefined) parts.push(`page: ${a.page},`);
  if (a.ticket !== undefined) parts.push(`ticket: ${a.ticket},`);
  if (a.noData !== undefined) parts.push(`noData: ${a.noData},`);
  if (a.labels) parts.push(`labels: ${record(a.labels)},`);
  if (a.annotations) parts.push(`annotations: ${record(a.annotations)},`);
  if (a.runbookUrl !== undefined) parts.push(`runbookUrl: ${str(a.runbookUrl)},`);
  return `{\n${indent(parts.join('\n'), '  ')}\n}`;
}

function sloText(slo: Slo, notes: readonly string[], used: Set<string>): string {
  used.add('defineSlo');
  const fields = [
    `id: ${str(slo.id)},`,
    `description: ${str(slo.description)},`,
    `objective: ${slo.objective},`,
    ...(slo.period !== undefined ? [`period: ${str(slo.period)},`] : []),
    `sli: ${sliText(slo.sli, used)},`,
    ...(slo.groupBy && slo.groupBy.length > 0 ? [`groupBy: ${list(slo.groupBy)},`] : []),
    ...(slo.alerting ? [`alerting: ${alertingText(slo.alerting)},`] : []),
  ];
  return `${comment(notes)}defineSlo({\n${indent(fields.join('\n'), '  ')}\n})`;
}

function metricText(m: Metric): string {
  const spec = m as MetricSpec;
  const fields = [
    `type: ${str(spec.type)},`,
    `help: ${str(spec.help)},`,
    `labels: ${list(spec.labels)},`,
    ...(spec.values
      ? [
          `values: { ${Object.entries(spec.values)
            .map(([k, v]) => `${key(k)}: ${list(v ?? [])}`)
            .join(', ')} },`,
        ]
      : []),
    ...(spec.buckets ? [`buckets: [${spec.buckets.join(', ')}],`] : []),
    ...(spec.unit ? [`unit: ${str(spec.unit)},`] : []),
    ...(spec.constLabels ? [`constLabels: ${record(spec.constLabels)},`] : []),
  ];
  return `${key(m.name)}: {\n${indent(fields.join('\n'), '  ')}\n},`;
}

/** The definition file of one service. */
export function serviceModule(service: Service, options: TypeScriptOptions): string {
  const used = new Set<string>(['defineMetrics', 'defineService']);
  const metrics = Object.values(service.metrics as Record<string, Metric>)
    .map(metricText)
    .join('\n');
  const slos = service.slos.map((s) => sloText(s, options.notes?.get(s.id) ?? [], used));
  const serviceFields = [
    `name: ${str(service.name)},`,
    `team: ${str(service.team)},`,
    ...(service.description ? [`description: ${str(service.description)},`] : []),
    'environments,',
    'metrics,',
    ...(service.scrapeInterval ? [`scrapeInterval: ${str(service.scrapeInterval)},`] : []),
    ...(service.evaluationInterval ? [`evaluationInterval: ${str(service.evaluationInterval)},`] : []),
    `slos: [\n${indent(slos.map((s) => `${s},`).join('\n'), '  ')}\n],`,
  ];
  const names = [...used].sort();
  return [
    '/**',
    ` * ${service.name}: metric contract and SLOs, imported from ${options.source}.`,
    ' * The metric contract lists what the queries read (types inferred from them); add label values,',
    ' * units and help text as you learn them.',
    ' */',
    `import {\n${names.map((n) => `  ${n},`).join('\n')}\n} from ${str(options.api ?? DEFAULT_API)};`,
    "import { environments } from './environments.ts';",
    '',
    `export const metrics = defineMetrics({\n${indent(metrics, '  ')}\n});`,
    '',
    `export default defineService({\n${indent(serviceFields.join('\n'), '  ')}\n});`,
    '',
  ].join('\n');
}

/** slos/environments.ts for an imported project: the environments the services are generated for. */
export function environmentsModule(environments: readonly Environment[], api: string = DEFAULT_API): string {
  const envs = environments.map((e) => {
    const fields = [
      `name: ${str(e.name)},`,
      `namespace: ${str(e.namespace)},`,
      ...(e.paging !== undefined ? [`paging: ${e.paging},`] : []),
      `runbookBaseUrl: ${str(e.runbookBaseUrl)},`,
      `grafanaBaseUrl: ${str(e.grafanaBaseUrl)},`,
    ];
    return `defineEnvironment({\n${indent(fields.join('\n'), '  ')}\n}),`;
  });
  return [
    '/** Environments the imported services are generated for: set namespaces and URLs, add routing. */',
    `import { defineEnvironment } from ${str(api)};`,
    '',
    `export const environments = [\n${indent(envs.join('\n'), '  ')}\n];`,
    '',
  ].join('\n');
}
