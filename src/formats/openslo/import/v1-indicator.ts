/** OpenSLO v1 SLI specs into indicators: the Prometheus query of each metric source, checked. */
import type { Environment } from '../../../model/service.ts';
import type { FileReport, Path } from './diagnostics.ts';
import type { Indicator } from './indicator.ts';
import type { Lookup } from './references.ts';
import { checkedSource, type Source } from './source.ts';
import type { MetricSpecV1, SliSpecV1 } from './v1-schema.ts';

/** The Prometheus query of a v1 metric source; reports why there is none. */
function promqlV1(
  metric: MetricSpecV1,
  file: string,
  path: Path,
  lookup: Lookup,
  report: FileReport,
  environments: readonly Environment[],
): Source | undefined {
  const ms = metric.metricSource;
  const at: Path = [...path, 'metricSource'];
  const ref = ms.metricSourceRef === undefined ? undefined : lookup('DataSource', ms.metricSourceRef);
  const refType = ref?.apiVersion === 'openslo/v1' ? ref.spec.type : undefined;
  if (ms.type !== undefined && refType !== undefined && ms.type.toLowerCase() !== refType.toLowerCase()) {
    report(
      file,
      [...at, 'type'],
      'openslo/data-source-mismatch',
      `type ${ms.type} differs from the type ${refType} of DataSource ${ms.metricSourceRef}`,
    );
    return undefined;
  }
  const type = ms.type ?? refType;
  if (type === undefined) {
    if (ms.metricSourceRef !== undefined)
      report(
        file,
        [...at, 'metricSourceRef'],
        'openslo/unresolved-reference',
        `DataSource ${JSON.stringify(ms.metricSourceRef)} is referenced but defined in none of the files read, and metricSource.type is not given`,
        'add the DataSource object, or write type: Prometheus on the metric source',
      );
    else
      report(
        file,
        at,
        'openslo/unsupported-data-source',
        'the metric source names no type and no metricSourceRef, so its query language is unknown',
        'write type: Prometheus',
      );
    return undefined;
  }
  if (type.toLowerCase() !== 'prometheus') {
    report(
      file,
      [...at, ms.type !== undefined ? 'type' : 'metricSourceRef'],
      'openslo/unsupported-data-source',
      `data source type ${type} is not supported; obsgen compiles Prometheus queries only`,
    );
    return undefined;
  }
  const fields = Object.keys(ms.spec);
  const extra = fields.filter((f) => f !== 'query' && f !== 'promql');
  for (const f of extra)
    report(
      file,
      [...at, 'spec', f],
      'openslo/unsupported-metric-source-field',
      `${f} is not supported on a Prometheus metric source; obsgen reads query (or promql)`,
    );
  const named = fields.filter((f) => f === 'query' || f === 'promql');
  if (named.length !== 1) {
    report(
      file,
      [...at, 'spec'],
      'openslo/exactly-one',
      named.length === 0
        ? 'a Prometheus metric source needs spec.query (or spec.promql)'
        : 'query and promql are mutually exclusive; set only one',
    );
    return undefined;
  }
  const field = named[0] as string;
  const query = ms.spec[field];
  if (typeof query !== 'string' || query.trim() === '') {
    report(file, [...at, 'spec', field], 'openslo/type', 'the query must be a non-empty string');
    return undefined;
  }
  if (extra.length > 0) return undefined;
  return checkedSource({ query, file, path: [...at, 'spec', field] }, report, environments);
}

/** The indicator of a v1 SLI spec, or undefined (with diagnostics) when it cannot be compiled. */
export function indicatorV1(
  spec: SliSpecV1,
  file: string,
  path: Path,
  lookup: Lookup,
  report: FileReport,
  environments: readonly Environment[],
): Indicator | undefined {
  const q = (m: MetricSpecV1 | undefined, field: string[]) =>
    m === undefined ? undefined : promqlV1(m, file, [...path, ...field], lookup, report, environments);
  if (spec.thresholdMetric) {
    const metric = q(spec.thresholdMetric, ['thresholdMetric']);
    return metric ? { kind: 'threshold', metric } : undefined;
  }
  const r = spec.ratioMetric;
  if (!r) return undefined;
  if (r.raw) {
    const raw = q(r.raw, ['ratioMetric', 'raw']);
    return raw && r.rawType ? { kind: 'raw', rawType: r.rawType, raw } : undefined;
  }
  const total = q(r.total, ['ratioMetric', 'total']);
  const good = q(r.good, ['ratioMetric', 'good']);
  const bad = q(r.bad, ['ratioMetric', 'bad']);
  if (!total || (r.good && !good) || (r.bad && !bad)) return undefined;
  return {
    kind: 'ratio',
    counter: r.counter === true,
    total,
    ...(good ? { good } : {}),
    ...(bad ? { bad } : {}),
  };
}
