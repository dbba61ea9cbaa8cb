/**
 * `obsgen report`: one self-contained HTML page per environment with each SLO's objective, SLI,
 * budget remaining over the period, burn rate per alert window, firing alerts and a chart of the
 * budget over the period. Reads the raw series (the compiler's `eventExprs`), so it needs no
 * recording rules, only the series the SLIs select. Charts: Chart.js, inlined from node_modules
 * (a maintained canvas library with a single-file UMD build, so the page needs no network).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { eventExprs } from '../compile/prometheus/sli.ts';
import type { Project, ResolvedService, ResolvedSlo } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { formatSeconds, toNumber } from '../model/units.ts';

export interface ReportOptions {
  readonly prometheus: string;
  readonly environment: string;
  /** Evaluation time, unix seconds. @default now */
  readonly at?: number;
  /** Points of each budget chart. @default 48 */
  readonly points?: number;
}

export interface BurnRow {
  readonly window: string;
  readonly severity: string;
  /** Burn rate over the window; undefined without data. */
  readonly burnRate: number | undefined;
  /** Burn rate the pair fires at. */
  readonly factor: number;
}

export interface SloReport {
  readonly service: string;
  readonly slo: string;
  readonly description: string;
  readonly objective: number;
  readonly sliKind: string;
  readonly period: string;
  /** SLI over the period (good / total); undefined without data. */
  readonly sli: number | undefined;
  /** Share of the period's error budget left (negative when overspent); undefined without data. */
  readonly budgetRemaining: number | undefined;
  readonly burn: readonly BurnRow[];
  /** Names of the firing alerts of this SLO. */
  readonly firing: readonly string[];
  /** Budget remaining over the period: [unix seconds, share]. */
  readonly series: readonly (readonly [number, number])[];
}

export interface Report {
  readonly environment: string;
  readonly at: number;
  readonly slos: readonly SloReport[];
}

export class ReportUsageError extends Error {}

async function api(url: string, path: string, params: Record<string, string>): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, '')}/api/v1/${path}?${new URLSearchParams(params)}`);
  } catch (error) {
    throw new ReportUsageError(`cannot reach Prometheus at ${url}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    status?: string;
    error?: string;
    data?: unknown;
  };
  if (body.status !== 'success') {
    throw new ReportUsageError(
      `Prometheus at ${url} refused ${params.query}: ${body.error ?? response.statusText}`,
    );
  }
  return body.data;
}

const finite = (raw: string | undefined): number | undefined => {
  const value = raw === undefined ? undefined : Number(raw);
  return value === undefined || !Number.isFinite(value) ? undefined : value;
};

/** Error ratio of the SLO over `window`, ungrouped. */
function errorRatioExpr(svc: ResolvedService, slo: ResolvedSlo, env: Environment, window: string): string {
  const { bad, total } = eventExprs(svc, { ...slo, groupBy: [] }, env, window);
  return `sum(${bad}) / sum(${total})`;
}

async function sloReport(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  options: ReportOptions,
  at: number,
  alerts: readonly Record<string, string>[],
): Promise<SloReport> {
  const url = options.prometheus;
  const budget = toNumber(slo.errorBudget);
  const instant = async (expr: string) => {
    const data = (await api(url, 'query', { query: expr, time: String(at) })) as {
      result: { value: [number, string] }[];
    };
    return finite(data.result[0]?.value[1]);
  };
  const periodRatio = await instant(errorRatioExpr(svc, slo, env, formatSeconds(slo.period)));
  const burn: BurnRow[] = [];
  for (const pair of slo.windows) {
    for (const seconds of [pair.long, pair.short]) {
      const ratio = await instant(errorRatioExpr(svc, slo, env, formatSeconds(seconds)));
      burn.push({
        window: formatSeconds(seconds),
        severity: pair.severity,
        burnRate: ratio === undefined ? undefined : ratio / budget,
        factor: toNumber(pair.factor),
      });
    }
  }
  const points = options.points ?? 48;
  const step = Math.max(60, Math.ceil(slo.period / points));
  const range = (await api(url, 'query_range', {
    query: `1 - (${errorRatioExpr(svc, slo, env, formatSeconds(slo.period))}) / ${budget}`,
    start: String(at - slo.period),
    end: String(at),
    step: String(step),
  })) as { result: { values: [number, string][] }[] };
  const series = (range.result[0]?.values ?? []).flatMap(([t, v]): [number, number][] => {
    const value = finite(v);
    return value === undefined ? [] : [[t, value]];
  });
  return {
    service: svc.name,
    slo: slo.id,
    description: slo.description,
    objective: toNumber(slo.objective),
    sliKind: slo.sli.kind,
    period: formatSeconds(slo.period),
    sli: periodRatio === undefined ? undefined : 1 - periodRatio,
    budgetRemaining: periodRatio === undefined ? undefined : 1 - periodRatio / budget,
    burn,
    firing: alerts
      .filter((a) => a.service === svc.name && a.slo === slo.id)
      .map((a) => a.alertname ?? '')
      .sort(),
    series,
  };
}

/** Reads every SLO of the environment from Prometheus. */
export async function buildReport(project: Project, options: ReportOptions): Promise<Report> {
  const at = options.at ?? Math.floor(Date.now() / 1000);
  const pairs = project.services.flatMap((svc) => {
    const env = svc.environments.find((e) => e.name === options.environment);
    return env ? svc.slos.map((slo) => [svc, slo, env] as const) : [];
  });
  if (pairs.length === 0)
    throw new ReportUsageError(`no SLO in environment ${JSON.stringify(options.environment)}`);
  const firing = (await api(options.prometheus, 'query', {
    query: 'ALERTS{alertstate="firing"}',
    time: String(at),
  })) as { result: { metric: Record<string, string> }[] };
  const alerts = firing.result.map((r) => r.metric);
  const slos: SloReport[] = [];
  for (const [svc, slo, env] of pairs) slos.push(await sloReport(svc, slo, env, options, at, alerts));
  return { environment: options.environment, at, slos };
}

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const pct = (x: number | undefined, digits = 2): string =>
  x === undefined ? 'no data' : `${(x * 100).toFixed(digits)}%`;
const num = (x: number | undefined): string => (x === undefined ? 'no data' : x.toFixed(2));

/** The Chart.js UMD build, read from node_modules when the report is written. */
export function chartLibrary(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:1rem;color:#1b1f24;background:#fff}
main{max-width:60rem;margin:0 auto}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin:0 0 .25rem}
section.slo{border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:1rem 0;break-inside:avoid}
.numbers{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;margin:.75rem 0}
.numbers div{background:#f6f8fa;border-radius:6px;padding:.5rem}.numbers b{display:block;font-size:1.2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #d0d7de;padding:.25rem;text-align:left}
.over{color:#b42318;font-weight:600}.firing{color:#b42318}.chart{position:relative;height:14rem}
@media print{body{padding:0}section.slo{border-color:#999}.chart{height:10rem}}
`;

const CHART_SCRIPT = `
for (const canvas of document.querySelectorAll('canvas[data-series]')) {
  const points = JSON.parse(canvas.dataset.series);
  new Chart(canvas, {
    type: 'line',
    data: {
      labels: points.map((p) => new Date(p[0] * 1000).toISOString().slice(5, 16).replace('T', ' ')),
      datasets: [{ label: 'budget remaining (%)', data: points.map((p) => p[1] * 100), borderColor: '#0969da', pointRadius: points.length < 20 ? 3 : 0, fill: false }],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
  });
}
document.body.dataset.charts = String(document.querySelectorAll('canvas[data-series]').length);
`;

function sloSection(s: SloReport): string {
  const rows = s.burn
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.window)}</td><td>${b.severity}</td><td class="${
          b.burnRate !== undefined && b.burnRate > b.factor ? 'over' : ''
        }">${num(b.burnRate)}</td><td>${b.factor}</td></tr>`,
    )
    .join('');
  const firing =
    s.firing.length === 0
      ? '<p>No alert firing.</p>'
      : `<p class="firing">Firing: ${s.firing.map(escapeHtml).join(', ')}</p>`;
  return `<section class="slo" id="${escapeHtml(`${s.service}-${s.slo}`)}" data-slo="${escapeHtml(s.slo)}">
<h2>${escapeHtml(s.service)} / ${escapeHtml(s.slo)}</h2>
<p>${escapeHtml(s.description)}</p>
<div class="numbers">
<div>objective<b>${pct(s.objective, 3)}</b></div>
<div>SLI (${escapeHtml(s.sliKind)}, ${escapeHtml(s.period)})<b data-field="sli">${pct(s.sli, 3)}</b></div>
<div>budget remaining<b data-field="budget">${pct(s.budgetRemaining, 1)}</b></div>
</div>
<table><thead><tr><th>window</th><th>severity</th><th>burn rate</th><th>fires at</th></tr></thead><tbody>${rows}</tbody></table>
${firing}
<div class="chart"><canvas role="img" aria-label="budget remaining over ${escapeHtml(s.period)}" data-series="${escapeHtml(JSON.stringify(s.series))}"></canvas></div>
</section>`;
}

/** The self-contained page: styles, data and Chart.js inline; nothing is fetched when it is viewed. */
export function renderReportHtml(report: Report, library: string = chartLibrary()): string {
  const when = new Date(report.at * 1000).toISOString().replace('.000Z', 'Z');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SLO report: ${escapeHtml(report.environment)}</title><style>${STYLE}</style></head>
<body><main><h1>SLO report: ${escapeHtml(report.environment)}</h1><p>As of ${when}.</p>
${report.slos.map(sloSection).join('\n')}
</main><script>${library.replaceAll('</script', '<\\/script')}</script><script>${CHART_SCRIPT}</script></body></html>
`;
}
