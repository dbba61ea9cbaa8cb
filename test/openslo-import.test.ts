import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { environments } from '../slos/environments.ts';
import { importObjects, parseOpenSloText } from '../src/formats/openslo/import/index.ts';
import { buildTree } from '../src/index.ts';
import type { Diagnostic } from '../src/model/diagnostic.ts';
import type { Project } from '../src/model/resolved.ts';
import type { Slo } from '../src/model/slo.ts';
import { validateProject } from '../src/validate/service.ts';
import { tempDir, tool } from './helpers/tools.ts';

type Json = Record<string, unknown>;

const metric = (query: string, type = 'Prometheus'): Json => ({ metricSource: { type, spec: { query } } });

function slo(
  name: string,
  sli: Json,
  options: { spec?: Json; objective?: Json; metadata?: Json } = {},
): Json {
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name, ...options.metadata },
    spec: {
      service: 'shop',
      indicator: { metadata: { name: `${name}-sli` }, spec: sli },
      budgetingMethod: 'Occurrences',
      timeWindow: [{ duration: '30d', isRolling: true }],
      objectives: [{ target: 0.99, ...options.objective }],
      ...options.spec,
    },
  };
}

/** Imports objects given as data, as if read from one file `t.yaml`. */
function read(...values: unknown[]) {
  const text = values.map((v) => YAML.stringify(v)).join('---\n');
  const parsed = parseOpenSloText(text, 't.yaml');
  const result = importObjects(parsed.objects, { environments });
  return { ...result, diagnostics: [...parsed.diagnostics, ...result.diagnostics] };
}

function slosOf(...values: unknown[]): Slo[] {
  const { services, diagnostics } = read(...values);
  expect(diagnostics).toEqual([]);
  return services.flatMap((s) => (s.value as { slos: Slo[] }).slos);
}

const only = (...values: unknown[]): Slo => {
  const [first, ...rest] = slosOf(...values);
  expect(rest).toEqual([]);
  return first as Slo;
};

const codes = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);
const at = (d: Diagnostic | undefined) => (d ? `${d.path.join('.')}` : '');

const ERRORS = 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))';
const TOTAL = 'sum(rate(http_requests_total[{{.window}}]))';
const ratio = (bad = ERRORS, total = TOTAL, counter = true): Json => ({
  ratioMetric: { counter, bad: metric(bad), total: metric(total) },
});

describe('OpenSLO queries into raw SLIs', () => {
  it('keeps {{.window}} and guards a bad counter without series', () => {
    expect(only(slo('a', ratio())).sli).toEqual({
      kind: 'raw',
      bad: `(${ERRORS} or 0 * ${TOTAL})`,
      total: TOTAL,
    });
  });

  it('turns one fixed range into the window placeholder, and spells it one way', () => {
    const sli = only(
      slo(
        'a',
        ratio(
          'sum(rate(http_requests_total{code=~"5.."}[5m]))',
          'sum(rate(http_requests_total[{{ .window }}]))',
        ),
      ),
    ).sli;
    expect(sli).toEqual({
      kind: 'raw',
      bad: `(${ERRORS} or 0 * ${TOTAL})`,
      total: TOTAL,
    });
  });

  it('subtracts good events from total, counting missing good series as zero', () => {
    const good = 'sum(rate(http_requests_total{code!~"5.."}[1m]))';
    const sli = only(
      slo('a', { ratioMetric: { counter: true, good: metric(good), total: metric(TOTAL) } }),
    ).sli;
    expect(sli).toEqual({
      kind: 'raw',
      bad: `${TOTAL} - (sum(rate(http_requests_total{code!~"5.."}[{{.window}}])) or 0 * ${TOTAL})`,
      total: TOTAL,
    });
  });

  it('refuses a query with several fixed ranges', () => {
    const { diagnostics } = read(slo('a', ratio('sum(rate(x[5m])) + sum(rate(y[1h]))')));
    expect(codes(diagnostics)).toEqual(['openslo/unsupported-query']);
    expect(at(diagnostics[0])).toBe(
      'documents[0].spec.indicator.spec.ratioMetric.bad.metricSource.spec.query',
    );
    expect(diagnostics[0]?.message).toContain('5m, 1h');
  });

  it('wraps the selectors of an instant counter query in rate(), of a gauge query in sum_over_time()', () => {
    expect(
      only(slo('a', ratio('sum(http_requests_total{code="500"})', 'sum(http_requests_total)'))).sli,
    ).toEqual({
      kind: 'raw',
      bad: `(sum(rate(http_requests_total{code="500"}[{{.window}}])) or 0 * sum(rate(http_requests_total[{{.window}}])))`,
      total: 'sum(rate(http_requests_total[{{.window}}]))',
    });
    const gauge = only(slo('a', ratio('sum(failed)', 'sum(handled)', false))).sli;
    expect(gauge).toEqual({
      kind: 'raw',
      bad: '(sum(sum_over_time(failed[{{.window}}])) or 0 * sum(sum_over_time(handled[{{.window}}])))',
      total: 'sum(sum_over_time(handled[{{.window}}]))',
    });
  });

  it('refuses to wrap an instant query that uses functions', () => {
    const { diagnostics } = read(slo('a', ratio('sum(abs(x))', 'sum(y)')));
    expect(codes(diagnostics)).toEqual(['openslo/unsupported-query']);
  });

  it('reads a raw success ratio as its complement, averaged over time', () => {
    const q = 'sum(rate(ok[{{.window}}])) / sum(rate(all[{{.window}}]))';
    const sli = only(slo('a', { ratioMetric: { rawType: 'success', raw: metric(q) } })).sli;
    expect(sli).toEqual({ kind: 'raw', bad: `1 - (${q})`, total: `(${q}) * 0 + 1` });
    const instant = only(slo('a', { ratioMetric: { rawType: 'failure', raw: metric('errors_ratio') } })).sli;
    expect(instant).toEqual({
      kind: 'raw',
      bad: 'avg_over_time(errors_ratio[{{.window}}:30s])',
      total: 'avg_over_time(errors_ratio[{{.window}}:30s]) * 0 + 1',
    });
  });

  it('counts evaluation steps of a threshold metric as occurrences', () => {
    const sli = only(
      slo(
        'a',
        { thresholdMetric: metric('max(queue_lag_seconds[2m])') },
        { objective: { op: 'lt', value: 30 } },
      ),
    ).sli;
    expect(sli).toEqual({
      kind: 'raw',
      bad: 'sum(sum_over_time((max(queue_lag_seconds[2m]) >= bool 30)[{{.window}}:30s]))',
      total: 'sum(count_over_time(max(queue_lag_seconds[2m])[{{.window}}:30s]))',
      samples: 'time',
    });
  });

  it('needs op and value for a referenced threshold SLI', () => {
    const sli = {
      apiVersion: 'openslo/v1',
      kind: 'SLI',
      metadata: { name: 'lag' },
      spec: { thresholdMetric: metric('lag') },
    };
    const ref = slo('a', {});
    (ref.spec as Json).indicator = undefined;
    (ref.spec as Json).indicatorRef = 'lag';
    const { diagnostics } = read(sli, JSON.parse(JSON.stringify(ref)));
    expect(codes(diagnostics)).toEqual(['openslo/required']);
    expect(at(diagnostics[0])).toBe('documents[1].spec.objectives.0');
  });
});

describe('OpenSLO time slices', () => {
  const slices = (budgetingMethod: string, sli: Json, objective: Json = {}) =>
    slo('a', sli, {
      spec: { budgetingMethod },
      objective: {
        timeSliceWindow: '1m',
        ...(budgetingMethod === 'Timeslices' ? { timeSliceTarget: 0.95 } : {}),
        ...objective,
      },
    });

  it('marks a slice bad when its ratio is under timeSliceTarget', () => {
    expect(only(slices('Timeslices', ratio())).sli).toEqual({
      kind: 'raw',
      bad: 'sum(sum_over_time((((1 - sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))) >= 0) < bool 0.95)[{{.window}}:1m]))',
      total:
        'sum(count_over_time(((1 - sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))) >= 0)[{{.window}}:1m]))',
      samples: 'time',
    });
  });

  it('averages the slices of a threshold SLI', () => {
    const sli = only(
      slices('RatioTimeslices', { thresholdMetric: metric('up') }, { op: 'gte', value: 1 }),
    ).sli;
    expect(sli).toEqual({
      kind: 'raw',
      bad: 'sum(sum_over_time((1 - (avg_over_time((up >= bool 1)[1m:30s]) >= 0))[{{.window}}:1m]))',
      total: 'sum(count_over_time((avg_over_time((up >= bool 1)[1m:30s]) >= 0)[{{.window}}:1m]))',
      samples: 'time',
    });
  });

  it('refuses slices longer than the base window', () => {
    const { diagnostics } = read(slices('Timeslices', ratio(), { timeSliceWindow: '1h' }));
    expect(codes(diagnostics)).toEqual(['openslo/unsupported-time-slices']);
    expect(diagnostics[0]?.hint).toContain('5m');
  });
});

describe('OpenSLO alert policies', () => {
  const condition = (threshold: number, lookbackWindow: string, extra: Json = {}, severity = 'critical') => ({
    kind: 'AlertCondition',
    metadata: { name: `c-${lookbackWindow}` },
    spec: { severity, condition: { kind: 'burnrate', op: 'gt', threshold, lookbackWindow, ...extra } },
  });
  const policy = (c: Json, spec: Json = {}) => ({
    kind: 'AlertPolicy',
    metadata: { name: `p-${(c.metadata as Json).name}` },
    spec: {
      alertWhenBreaching: true,
      conditions: [c],
      notificationTargets: [{ targetRef: 'oncall' }],
      ...spec,
    },
  });
  const target = {
    apiVersion: 'openslo/v1',
    kind: 'AlertNotificationTarget',
    metadata: { name: 'oncall' },
    spec: { target: 'pagerduty' },
  };
  const withPolicies = (...policies: Json[]) => slo('a', ratio(), { spec: { alertPolicies: policies } });

  it('switches on a tier whose every window pair a condition names', () => {
    const s = only(
      withPolicies(policy(condition(14.4, '1h'), { alertWhenNoData: true }), policy(condition(6, '6h'))),
      target,
    );
    expect(s.alerting).toEqual({ ticket: false });
  });

  it('gives an SLO without policies no burn alerts and no no-data alert', () => {
    expect(only(slo('a', ratio())).alerting).toEqual({ page: false, ticket: false, noData: false });
  });

  it('takes only the no-data setting from a policy that does not alert on breaches', () => {
    const s = only(
      withPolicies(policy(condition(2, '1h'), { alertWhenBreaching: false, alertWhenNoData: true })),
      target,
    );
    expect(s.alerting).toEqual({ page: false, ticket: false });
  });

  it('compiles a condition that is not one of the derived pairs to exactly that pair', () => {
    const s = only(withPolicies(policy(condition(2, '1h'))), target);
    expect(s.alerting).toEqual({
      windows: [{ long: '1h', factor: 2, severity: 'critical' }],
      noData: false,
    });
  });

  it('compiles a single page condition (14.4x over 1h after 2m) to that one alert, not the whole tier', () => {
    const s = only(withPolicies(policy(condition(14.4, '1h', { alertAfter: '2m' }))), target);
    expect(s.alerting).toEqual({
      windows: [{ long: '1h', factor: 14.4, severity: 'critical', for: '2m' }],
      noData: false,
    });
    // A second, different set: two ticket conditions with their own alertAfter, severity ticket.
    const t = only(
      withPolicies(
        policy(condition(1.5, '12h', { alertAfter: '30m' }, 'ticket')),
        policy(condition(4, '2h', { op: 'gte' }, 'warning')),
      ),
      target,
    );
    expect(t.alerting?.windows).toEqual([
      { long: '12h', factor: 1.5, severity: 'warning', for: '30m' },
      { long: '2h', factor: 4, severity: 'warning' },
    ]);
  });

  it('refuses op lt and lte and severities obsgen does not route', () => {
    for (const c of [
      condition(14.4, '1h', { op: 'lte' }),
      condition(14.4, '1h', { op: 'lt' }),
      condition(14.4, '1h', {}, 'info'),
    ]) {
      const { diagnostics } = read(withPolicies(policy(c)), target);
      expect(codes(diagnostics), JSON.stringify(c)).toEqual(['openslo/unsupported-alert-condition']);
      expect(at(diagnostics[0])).toBe('documents[0].spec.alertPolicies.0.spec.conditions.0');
    }
  });

  it('reports what the model refuses at the SLO that caused it', () => {
    const low = slo('a', ratio(), {
      objective: { target: 0.9 },
      spec: { alertPolicies: [policy(condition(14.4, '1h')), policy(condition(6, '6h'))] },
    });
    const { diagnostics } = read(low, target);
    expect(codes(diagnostics)).toEqual(['slo/unreachable-burn']);
    expect(at(diagnostics[0])).toBe('documents[0].spec.alertPolicies');
  });
});

describe('OpenSLO validation', () => {
  it('refuses unknown fields, bad names and both target forms at once; compiles calendar windows as rolling', () => {
    const bad = slo('Bad Name', ratio(), { objective: { targetPercent: 99 }, spec: { extra: 1 } });
    const { diagnostics } = read(bad);
    expect(diagnostics.map((d) => [at(d), d.code])).toEqual([
      ['documents[0].metadata.name', 'openslo/name'],
      ['documents[0].spec.indicator.metadata.name', 'openslo/name'],
      ['documents[0].spec.objectives.0', 'openslo/exactly-one'],
      ['documents[0].spec.extra', 'openslo/unknown-field'],
    ]);
    expect(diagnostics[2]?.message).toBe('target and targetPercent are mutually exclusive; set only one');
    const calendar = read(
      slo('a', ratio(), {
        spec: {
          timeWindow: [{ duration: '1M', calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' } }],
        },
      }),
    );
    // Compiled as a rolling 30 days, with a warning saying so.
    expect(calendar.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'openslo/calendar-as-rolling'],
    ]);
    expect(calendar.diagnostics[0]?.message).toContain('compiled as a rolling 30d');
    expect(calendar.services).toHaveLength(1);
  });

  it('resolves references in the set and refuses dangling ones and differing duplicates', () => {
    const ref = JSON.parse(JSON.stringify(slo('a', {}))) as Json;
    (ref.spec as Json).indicator = undefined;
    (ref.spec as Json).indicatorRef = 'missing';
    const dangling = read(JSON.parse(JSON.stringify(ref)));
    expect(dangling.diagnostics.map((d) => [at(d), d.code])).toEqual([
      ['documents[0].spec.indicatorRef', 'openslo/unresolved-reference'],
    ]);
    const service = (description: string) => ({
      apiVersion: 'openslo/v1',
      kind: 'Service',
      metadata: { name: 'shop' },
      spec: { description },
    });
    expect(read(service('x'), service('x'), slo('a', ratio())).diagnostics).toEqual([]);
    const twice = read(service('x'), service('y'));
    expect(twice.diagnostics.map((d) => [at(d), d.code])).toEqual([
      ['documents[1].metadata.name', 'openslo/duplicate'],
    ]);
    expect(twice.diagnostics[0]?.message).toContain('t.yaml (documents[0])');
  });

  it('takes the data source type from the referenced DataSource, and refuses a mismatch', () => {
    const ds = (type: string) => ({
      apiVersion: 'openslo/v1',
      kind: 'DataSource',
      metadata: { name: 'prom' },
      spec: { type, connectionDetails: { url: 'x' } },
    });
    const bySource = (type?: string) =>
      slo('a', {
        ratioMetric: {
          counter: true,
          bad: {
            metricSource: { metricSourceRef: 'prom', ...(type ? { type } : {}), spec: { query: ERRORS } },
          },
          total: { metricSource: { metricSourceRef: 'prom', spec: { promql: TOTAL } } },
        },
      });
    expect(read(ds('Prometheus'), bySource()).diagnostics).toEqual([]);
    expect(codes(read(ds('Datadog'), bySource()).diagnostics)).toEqual([
      'openslo/unsupported-data-source',
      'openslo/unsupported-data-source',
    ]);
    expect(codes(read(ds('Datadog'), bySource('Prometheus')).diagnostics)).toContain(
      'openslo/data-source-mismatch',
    );
  });

  it('refuses unknown placeholders and environment vars no environment has', () => {
    const { diagnostics } = read(
      slo(
        'a',
        ratio(
          'sum(rate(x{instance="{{.vars.nope}}"}[{{.window}}]))',
          'sum(rate(x{a="{{.other}}"}[{{.window}}]))',
        ),
      ),
    );
    expect(diagnostics.map((d) => d.message)).toEqual([
      'unknown placeholder {{.other}}',
      '{{.vars.nope}}: environment staging has no vars.nope',
      '{{.vars.nope}}: environment production has no vars.nope',
    ]);
  });

  it('refuses unknown obsgen annotations and an unreadable metric contract', () => {
    const { diagnostics } = read(
      {
        apiVersion: 'openslo/v1',
        kind: 'Service',
        metadata: { name: 'shop', annotations: { 'obsgen.dev/metrics': '{' } },
        spec: {},
      },
      slo('a', ratio(), { metadata: { annotations: { 'obsgen.dev/groupby': 'x' } } }),
    );
    expect(diagnostics.map((d) => [at(d), d.code])).toEqual([
      ['documents[0].metadata.annotations.obsgen.dev/metrics', 'openslo/annotation'],
      ['documents[1].metadata.annotations.obsgen.dev/groupby', 'openslo/annotation'],
    ]);
  });

  it('refuses openslo.com/v2alpha and composite SLOs', () => {
    expect(
      codes(
        read({ apiVersion: 'openslo.com/v2alpha', kind: 'Service', metadata: { name: 'x' }, spec: {} })
          .diagnostics,
      ),
    ).toEqual(['openslo/unsupported-version']);
    const composite = slo('a', {});
    (composite.spec as Json).indicator = undefined;
    (composite.spec as Json).objectives = [{ target: 0.99, indicatorRef: 'x' }];
    expect(codes(read(JSON.parse(JSON.stringify(composite))).diagnostics)).toEqual([
      'openslo/unsupported-composite',
    ]);
  });
});

describe('typed SLIs from a declared metric contract', () => {
  const contract = JSON.stringify({
    http_requests_total: {
      type: 'counter',
      labels: ['job', 'namespace', 'code'],
      help: 'Requests.',
      constLabels: { job: 'shop' },
    },
  });
  const service = {
    apiVersion: 'openslo/v1',
    kind: 'Service',
    metadata: {
      name: 'shop',
      annotations: { 'obsgen.dev/team': 'payments', 'obsgen.dev/metrics': contract },
    },
    spec: {},
  };

  it('recovers a ratio SLI when the queries read exactly what it compiles to', () => {
    const s = only(
      service,
      slo(
        'a',
        ratio(
          'sum(rate(http_requests_total{code=~"5..",job="shop",namespace="{{.namespace}}"}[{{.window}}]))',
          'sum(rate(http_requests_total{job="shop",namespace="{{.namespace}}"}[{{.window}}]))',
        ),
      ),
    );
    expect(s.sli.kind).toBe('ratio');
    expect(s.sli.kind === 'ratio' && s.sli.bad?.matchers).toEqual({ code: { re: '5..' } });
  });

  it('keeps the query raw when it leaves out a matcher the compiler would add', () => {
    const s = only(
      service,
      slo(
        'a',
        ratio(
          'sum(rate(http_requests_total{code=~"5..",job="shop"}[{{.window}}]))',
          'sum(rate(http_requests_total{job="shop"}[{{.window}}]))',
        ),
      ),
    );
    expect(s.sli.kind).toBe('raw');
  });
});

describe('OpenSLO v1alpha (as Sloth reads it)', () => {
  const sloth = {
    apiVersion: 'openslo/v1alpha',
    kind: 'SLO',
    metadata: { name: 'sloth-slo-my-service', displayName: 'Requests Availability' },
    spec: {
      service: 'my-service',
      description: 'Common SLO based on availability for HTTP request responses.',
      budgetingMethod: 'Occurrences',
      objectives: [
        {
          ratioMetrics: {
            good: {
              source: 'prometheus',
              queryType: 'promql',
              query:
                'sum(rate(http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}[{{.window}}]))',
            },
            total: {
              source: 'prometheus',
              queryType: 'promql',
              query: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
            },
          },
          target: 0.999,
        },
      ],
      timeWindows: [{ count: 28, unit: 'Day', isRolling: true }],
    },
  };

  it('imports a Sloth example: one SLO per objective, a 28d period, no burn alerts', () => {
    const s = only(sloth);
    expect(s).toMatchObject({
      id: 'sloth-slo-my-service',
      objective: 0.999,
      period: '4w',
      alerting: { page: false, ticket: false, noData: false },
    });
    expect(s.sli.kind).toBe('raw');
  });

  it('refuses v1alpha Timeslices, which name no slice window', () => {
    const timeslices = {
      ...sloth,
      spec: {
        ...sloth.spec,
        budgetingMethod: 'Timeslices',
        objectives: [{ ...sloth.spec.objectives[0], timeSliceTarget: 0.9 }],
      },
    };
    expect(codes(read(timeslices).diagnostics)).toEqual(['openslo/unsupported-time-slices']);
  });
});

describe('rules of imported SLIs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup?.());

  it('pass promtool check rules with every lint fatal, for every mapping', async () => {
    const { services, diagnostics } = read(
      slo(
        'fixed-range',
        ratio('sum(rate(http_requests_total{code=~"5.."}[5m]))', 'sum(rate(http_requests_total[5m]))'),
      ),
      slo('instant-counter', ratio('sum(http_requests_total{code="500"})', 'sum(http_requests_total)')),
      slo('raw', { ratioMetric: { rawType: 'success', raw: metric('avg(rate(ok[{{.window}}]))') } }),
      slo(
        'threshold',
        { thresholdMetric: metric('max(min_over_time(lag[2m]))') },
        { objective: { op: 'lte', value: 5 } },
      ),
      slo('slices', ratio(), {
        spec: { budgetingMethod: 'Timeslices' },
        objective: { timeSliceWindow: '1m', timeSliceTarget: 0.9 },
      }),
      slo(
        'ratio-slices',
        { thresholdMetric: metric('up') },
        {
          spec: { budgetingMethod: 'RatioTimeslices' },
          objective: { timeSliceWindow: '2m', op: 'gte', value: 1 },
        },
      ),
    );
    expect(diagnostics).toEqual([]);
    const validated = validateProject(services);
    expect(validated.diagnostics).toEqual([]);
    const paths: string[] = [];
    for (const [path, text] of buildTree(validated.project as Project)) {
      if (!path.startsWith('prometheus/')) continue;
      const file = join(dir, path.replaceAll('/', '-'));
      await writeFile(file, text);
      paths.push(file);
    }
    const result = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
