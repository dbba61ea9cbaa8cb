/**
 * Backfilled history of several versions of a service, for the deploy gate: OpenMetrics text
 * written here (each series carries a `version` label, which the contract-driven synthesizer does
 * not know), turned into TSDB blocks by the real `promtool tsdb create-blocks-from openmetrics`.
 */
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tool } from './tools.ts';

/** How one version behaves: steady traffic, a share of 5xx and log-normal latencies. */
export interface VersionProfile {
  readonly version: string;
  /** Requests per second; 0 writes no request series. */
  readonly rps: number;
  /** Share of requests answered with 500. */
  readonly errorRatio: number;
  /** Median latency, seconds (sigma 0.8). */
  readonly latencyMedian: number;
}

export interface HistorySpec {
  readonly versions: readonly VersionProfile[];
  /** Constant labels of every request series (`job`, `namespace`, `handler`, ...). */
  readonly requestLabels: Readonly<Record<string, string>>;
  /** Counter family name without `_total`; undefined writes none. */
  readonly counter?: string;
  /** Histogram family name and bucket bounds; undefined writes none. */
  readonly histogram?: { readonly name: string; readonly buckets: readonly number[] };
  /** Gauges always 1 (`probe_success`), with their labels. */
  readonly upGauges?: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

/** Share of log-normal latencies (median `median`, sigma 0.8) at or under `bound`. */
export const latencyCdf = (bound: number, median: number): number =>
  bound === Number.POSITIVE_INFINITY ? 1 : 0.5 * (1 + erf(Math.log(bound / median) / (0.8 * Math.SQRT2)));

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',')}}`;

/** The OpenMetrics document: every series' samples in turn, families one after another. */
export function historyDocument(spec: HistorySpec): string {
  const times: number[] = [];
  for (let t = spec.start; t < spec.end; t += spec.step) times.push(t);
  const lines: string[] = [];
  const series = (name: string, labels: Record<string, string>, at: (t: number) => number) => {
    for (const t of times) lines.push(`${name}${labelText(labels)} ${at(t)} ${t}`);
  };
  const requesting = spec.versions.filter((v) => v.rps > 0);
  if (spec.counter) {
    lines.push(`# TYPE ${spec.counter} counter`);
    for (const v of requesting) {
      const labels = { ...spec.requestLabels, version: v.version };
      const elapsed = (t: number) => t - spec.start;
      series(`${spec.counter}_total`, { ...labels, status: '200' }, (t) =>
        Math.floor(v.rps * (1 - v.errorRatio) * elapsed(t)),
      );
      series(`${spec.counter}_total`, { ...labels, status: '500' }, (t) =>
        Math.floor(v.rps * v.errorRatio * elapsed(t)),
      );
    }
  }
  if (spec.histogram) {
    const { name, buckets } = spec.histogram;
    lines.push(`# TYPE ${name} histogram`);
    for (const v of requesting) {
      const labels = { ...spec.requestLabels, version: v.version };
      const count = (t: number) => Math.floor(v.rps * (t - spec.start));
      for (const le of [...buckets, Number.POSITIVE_INFINITY]) {
        const share = latencyCdf(le, v.latencyMedian);
        series(
          `${name}_bucket`,
          { ...labels, le: le === Number.POSITIVE_INFINITY ? '+Inf' : String(le) },
          (t) => Math.floor(count(t) * share),
        );
      }
      series(`${name}_count`, labels, count);
      series(`${name}_sum`, labels, (t) => count(t) * v.latencyMedian * Math.exp(0.32));
    }
  }
  for (const gauge of spec.upGauges ?? []) {
    lines.push(`# TYPE ${gauge.name} gauge`);
    series(gauge.name, { ...gauge.labels }, () => 1);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Writes the histories as TSDB blocks into `dataDir` with promtool; returns the number of blocks. */
export async function backfillVersions(
  specs: readonly HistorySpec[],
  workDir: string,
  dataDir: string,
): Promise<number> {
  const file = join(workDir, 'history.om');
  const out = join(workDir, 'blocks');
  await mkdir(out, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const body = specs.map((spec) => historyDocument(spec).replace(/# EOF\n$/, '')).join('');
  await writeFile(file, `${body}# EOF\n`);
  const result = await tool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, out]);
  if (result.code !== 0) throw new Error(`promtool create-blocks-from openmetrics failed:\n${result.stderr}`);
  const blocks = (await readdir(out)).filter((name) => /^[0-9A-Z]{26}$/.test(name));
  for (const block of blocks) await rename(join(out, block), join(dataDir, block));
  return blocks.length;
}
