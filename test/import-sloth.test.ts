/**
 * Sloth's own integration fixtures (its input specs and the rules Sloth generated from them,
 * test/fixtures/import-sloth) imported with `obsgen import sloth`, generated, and run under
 * promtool together with Sloth's rules on the same synthetic outage: every alert Sloth fires,
 * obsgen fires too, within its documented difference. Sloth's rules have no `for` and read each
 * window from the raw series; obsgen's condition (its alert turning pending) follows Sloth's firing
 * within one base window (5m: longer windows are averaged from base-window rates) plus one
 * evaluation, and it fires after the pair's `for` (long window / 30).
 * Specs obsgen cannot express are refused by name.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burnAlertName } from '../src/conventions.ts';
import { importDefinitions } from '../src/index.ts';
import { API, firstAlerts, type InputSeries, importAndGenerate, plainRules } from './helpers/import-proof.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'import-sloth');
const HOUR = 3_600;
/** Healthy hour, then a total outage for two hours. */
const OUTAGE = HOUR;
const END = 3 * HOUR;
const EVALUATION = 30;
/** obsgen's pairs: `for` is one evaluation on every pair of either tier; base window 5m. */
const FOR = { page: [EVALUATION, EVALUATION], ticket: [EVALUATION, EVALUATION] } as const;
const BASE = 300;

/** A counter at 2/s: `healthy` samples rising, then flat (or the reverse), 30s apart. */
const rising = (from: 'start' | 'outage'): string =>
  from === 'start' ? '0+60x120 7200+0x240' : '0+0x120 60+60x239';

interface Case {
  readonly file: string;
  readonly series: readonly InputSeries[];
  /** Sloth alert name and obsgen SLO id of each SLO that alerts. */
  readonly slos: readonly { readonly sloth: string; readonly slo: string }[];
}

const requests: InputSeries[] = [
  { series: 'http_request_duration_seconds_count{job="myservice",code="200"}', values: rising('start') },
  { series: 'http_request_duration_seconds_count{job="myservice",code="500"}', values: rising('outage') },
];

const CASES: readonly Case[] = [
  {
    file: 'getting-started.yml',
    series: requests,
    slos: [{ sloth: 'MyServiceHighErrorRate', slo: 'requests-availability' }],
  },
  {
    file: 'k8s-getting-started.yml',
    series: requests,
    slos: [{ sloth: 'MyServiceHighErrorRate', slo: 'requests-availability' }],
  },
  {
    // A second, different service: two SLOs, errors and latency, other metrics.
    file: 'kubernetes-apiserver.yml',
    series: [
      { series: 'apiserver_request_total{code="200",verb="GET"}', values: rising('start') },
      { series: 'apiserver_request_total{code="503",verb="GET"}', values: rising('outage') },
      { series: 'apiserver_request_duration_seconds_count{verb="GET"}', values: '0+60x360' },
      { series: 'apiserver_request_duration_seconds_bucket{le="0.4",verb="GET"}', values: rising('start') },
    ],
    slos: [
      { sloth: 'K8sApiserverAvailabilityAlert', slo: 'requests-availability' },
      { sloth: 'K8sApiserverLatencyAlert', slo: 'requests-latency' },
    ],
  },
  {
    // A third: gauges counted through subqueries, objectives 95% and 99.9%.
    file: 'home-wifi.yml',
    series: [
      { series: 'unifipoller_client_satisfaction_ratio{name="laptop"}', values: '0.9x120 0.3x240' },
      { series: 'unifipoller_client_satisfaction_ratio{name="phone"}', values: '0.95x120 0.2x240' },
    ],
    slos: [
      { sloth: 'GoodWifiClientSatisfaction', slo: 'good-wifi-client-satisfaction' },
      { sloth: 'RiskWifiClientSatisfaction', slo: 'risk-wifi-client-satisfaction' },
    ],
  },
];

/** What each case measured, printed once for the record. */
const measured: string[] = [];
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-import-sloth-'));
});
afterAll(async () => {
  if (process.env.OBSGEN_PRINT_PROOF) process.stdout.write(`${measured.join('\n')}\n`);
  await cleanup();
});

describe('Sloth fixtures imported alert on the same outage as Sloth', () => {
  for (const c of CASES)
    it(`${c.file}: page and ticket fire within obsgen's documented delay of Sloth's`, async () => {
      const project = join(dir, c.file.replace(/\..*$/, ''));
      const { rules } = await importAndGenerate('sloth', [join(FIXTURES, c.file)], project);
      const theirs = await plainRules(join(FIXTURES, '_gen', c.file), project, 'sloth');
      const selectors = c.slos.flatMap((s) =>
        (['page', 'ticket'] as const).flatMap((tier) => {
          const ours = `alertname="${burnAlertName(s.slo)}",severity="${tier === 'page' ? 'critical' : 'warning'}"`;
          return [
            `alertstate="firing",alertname="${s.sloth}",sloth_severity="${tier}"`,
            `alertstate="pending",${ours}`,
            `alertstate="firing",${ours}`,
          ];
        }),
      );
      const times = await firstAlerts([theirs, ...rules], c.series, END, OUTAGE, selectors, project);
      for (const [k, s] of c.slos.entries())
        for (const [j, tier] of (['page', 'ticket'] as const).entries()) {
          const [sloth, pending, firing] = times.slice(6 * k + 3 * j, 6 * k + 3 * j + 3);
          const at = `${c.file} ${s.slo} ${tier}: Sloth fires ${sloth}s, obsgen pending ${pending}s and firing ${firing}s after the outage began`;
          // Silent through the healthy hour, firing during the outage.
          for (const t of [sloth, pending, firing]) {
            expect(t, at).toBeDefined();
            expect(t as number, at).toBeGreaterThanOrEqual(0);
          }
          const condition = (pending as number) - (sloth as number);
          expect(condition, at).toBeGreaterThanOrEqual(-EVALUATION);
          expect(condition, at).toBeLessThanOrEqual(BASE + EVALUATION);
          const wait = (firing as number) - (pending as number);
          expect(wait, at).toBeGreaterThanOrEqual(FOR[tier][0]);
          expect(wait, at).toBeLessThanOrEqual(FOR[tier][1] + EVALUATION);
          measured.push(at);
        }
    });

  it('no-alerts.yml: Sloth writes no burn alerts and neither does the import', async () => {
    const project = join(dir, 'no-alerts');
    const { rules } = await importAndGenerate('sloth', [join(FIXTURES, 'no-alerts.yml')], project);
    const theirs = await plainRules(join(FIXTURES, '_gen', 'no-alerts.yml'), project, 'sloth');
    const times = await firstAlerts(
      [theirs, ...rules],
      [
        { series: 'http_request_duration_seconds_count{job="myapp",code="200"}', values: rising('start') },
        { series: 'http_request_duration_seconds_count{job="myapp",code="500"}', values: rising('outage') },
      ],
      END,
      OUTAGE,
      ['sloth_severity=~".+"', `alertname="${burnAlertName('requests-availability')}"`],
      project,
    );
    expect(times).toEqual([undefined, undefined]);
  });
});

describe('Sloth specs obsgen cannot express are refused by name', () => {
  const refused: [string, string, RegExp][] = [
    ['raw-home-wifi.yml', 'sloth/unsupported-raw-sli', /^documents\[0\]\.slos\.0\.sli\.raw$/],
    ['plugin-getting-started.yml', 'sloth/unsupported-plugin', /^documents\[0\]\.slos\.0\.sli\.plugin$/],
    ['slo-plugin-getting-started.yml', 'sloth/unsupported-plugin', /^documents\[0\]\.slo_plugins$/],
  ];
  for (const [file, code, path] of refused)
    it(`${file}: ${code}`, async () => {
      const result = await importDefinitions({
        format: 'sloth',
        paths: [join(FIXTURES, file)],
        root: ROOT,
        out: join(dir, 'refused'),
        api: API,
      });
      expect(result.tree).toBeUndefined();
      const d = result.diagnostics.find((x) => x.code === code);
      expect(d?.file).toBe(`test/fixtures/import-sloth/${file}`);
      expect(d?.path.join('.')).toMatch(path);
    });

  it('an unknown field is refused with its path', async () => {
    const { importSlothObjects } = await import('../src/formats/sloth/index.ts');
    const result = importSlothObjects(
      [
        {
          file: 'x.yml',
          index: 0,
          value: {
            version: 'prometheus/v1',
            service: 'svc',
            slos: [
              {
                name: 'a',
                objective: 99,
                sli: { events: { error_query: 'x', total_query: 'y' } },
                window: '7d',
              },
            ],
          },
        },
      ],
      { environments: [] },
    );
    expect(result.services).toEqual([]);
    expect(result.diagnostics.map((d) => [d.code, d.path.join('.')])).toContainEqual([
      'sloth/unknown-field',
      'documents[0].slos.0',
    ]);
  });
});
