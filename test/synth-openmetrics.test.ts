import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineMetrics } from '../src/model/index.ts';
import {
  exposition,
  openMetricsDocument,
  type SynthFamily,
  seriesCount,
  syntheticFamilies,
  timeChunks,
  type WorkloadSpec,
} from '../src/synth/openmetrics.ts';
import { tempDir, tool } from './helpers/tools.ts';

const metrics = defineMetrics({
  http_requests_total: {
    type: 'counter',
    help: 'Requests.',
    labels: ['job', 'handler', 'status'],
    constLabels: { job: 'api' },
  },
  http_request_duration_seconds: {
    type: 'histogram',
    help: 'Latency.',
    labels: ['job', 'handler'],
    buckets: [0.1, 0.5, 2],
    constLabels: { job: 'api' },
  },
  probe_success: { type: 'gauge', help: 'Probe.', labels: ['instance'] },
  data_last_success_timestamp_seconds: { type: 'gauge', help: 'Last ingestion.', labels: ['source'] },
});

/** Aligned to 2h, so a 2h document is one TSDB block. */
const ORIGIN = 1_699_999_200;
const HOUR = 3_600;

const spec: WorkloadSpec = {
  metrics,
  origin: ORIGIN,
  labelValues: { handler: ['/a', '/b'], status: ['200', '500'], instance: ['probe'], source: ['era5'] },
  profile: {
    incidents: [
      {
        start: ORIGIN + HOUR,
        end: ORIGIN + 1.5 * HOUR,
        errorRatio: 0.5,
        latencyMedian: 1,
        down: ['probe_success'],
        stale: ['data_last_success_timestamp_seconds'],
      },
    ],
  },
};

const families = syntheticFamilies(spec);
const family = (name: string) => families.find((f) => f.name === name) as SynthFamily;
const times = Array.from({ length: 3 * 120 + 1 }, (_, i) => ORIGIN + i * 30);

describe('synthetic series from a metric contract', () => {
  it('cover every label combination: 4 counters, 2 x (4 buckets, count, sum), the probe, the timestamp', () => {
    expect(seriesCount(families)).toBe(4 + 12 + 1 + 1);
    expect(family('http_requests').type).toBe('counter');
    expect(family('http_requests').series.map((s) => s.labels)).toContain(
      '{handler="/a",job="api",status="500"}',
    );
  });

  it('keep counters monotonic, buckets cumulative and the +Inf bucket equal to the count', () => {
    for (const f of families.filter((x) => x.type === 'counter' || x.type === 'histogram'))
      for (const s of f.series)
        times.slice(1).forEach((t, i) => {
          expect(s.at(t)).toBeGreaterThanOrEqual(s.at(times[i] as number));
        });
    const buckets = family('http_request_duration_seconds').series.filter(
      (s) => s.name.endsWith('_bucket') && s.labels.includes('"/a"'),
    );
    const count = family('http_request_duration_seconds').series.find(
      (s) => s.name.endsWith('_count') && s.labels.includes('"/a"'),
    );
    for (const t of times) {
      const values = buckets.map((b) => b.at(t));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values.at(-1)).toBe(count?.at(t));
    }
  });

  it('misbehave during an incident: half the requests fail, the probe is down, ingestion stalls', () => {
    const requests = family('http_requests').series.filter((s) => s.labels.includes('"/a"'));
    const failed = requests.find((s) => s.labels.includes('"500"'));
    const ok = requests.find((s) => s.labels.includes('"200"'));
    const delta = (s: typeof ok, from: number, to: number) => (s?.at(to) ?? 0) - (s?.at(from) ?? 0);
    const during = [ORIGIN + 1.1 * HOUR, ORIGIN + 1.4 * HOUR] as const;
    const share = delta(failed, ...during) / (delta(failed, ...during) + delta(ok, ...during));
    expect(share).toBeCloseTo(0.5, 2);
    const before = [ORIGIN + 0.1 * HOUR, ORIGIN + 0.4 * HOUR] as const;
    expect(delta(failed, ...before) / (delta(failed, ...before) + delta(ok, ...before))).toBeLessThan(0.01);
    const probe = family('probe_success').series[0];
    expect([probe?.at(ORIGIN), probe?.at(ORIGIN + 1.2 * HOUR), probe?.at(ORIGIN + 2 * HOUR)]).toEqual([
      1, 0, 1,
    ]);
    const ingested = family('data_last_success_timestamp_seconds').series[0];
    expect(ingested?.at(ORIGIN + 1.45 * HOUR)).toBeLessThanOrEqual(ORIGIN + HOUR);
    expect(ingested?.at(ORIGIN + 2 * HOUR)).toBeGreaterThan(ORIGIN + 1.5 * HOUR);
  });

  it('are the same on every call (no clock, no randomness)', () => {
    const again = syntheticFamilies(spec);
    expect(exposition(again, ORIGIN + HOUR)).toBe(exposition(families, ORIGIN + HOUR));
  });

  it('cut time into chunks at multiples of the chunk length, covering the range once', () => {
    expect([...timeChunks(ORIGIN + 600, ORIGIN + 3 * 7_200, 7_200)]).toEqual([
      [ORIGIN + 600, ORIGIN + 7_200],
      [ORIGIN + 7_200, ORIGIN + 14_400],
      [ORIGIN + 14_400, ORIGIN + 21_600],
    ]);
  });

  it('become one TSDB block per 2h chunk with promtool, every sample accepted', async () => {
    const { dir, cleanup } = await tempDir('obsgen-synth-');
    try {
      const file = join(dir, 'history.om');
      const pieces = [...openMetricsDocument(families, ORIGIN, ORIGIN + 7_200, 30, 4096)];
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.at(-1)?.endsWith('# EOF\n')).toBe(true);
      await writeFile(file, pieces.join(''));
      const result = await tool('promtool', [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        file,
        join(dir, 'data'),
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      // BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
      const rows = result.stdout.trim().split('\n').slice(1);
      expect(rows).toHaveLength(1);
      const columns = (rows[0] ?? '').split(/\s+/);
      expect(Number(columns[4])).toBe(seriesCount(families) * 240);
      expect(Number(columns[6])).toBe(seriesCount(families));
    } finally {
      await cleanup();
    }
  });

  it('expose the present in the text format promtool accepts', async () => {
    const text = exposition(families, ORIGIN + HOUR);
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_request_duration_seconds_bucket{handler="/a",job="api",le="+Inf"}');
    const { dir, cleanup } = await tempDir('obsgen-synth-');
    try {
      await writeFile(join(dir, 'metrics.txt'), text);
      const result = await tool('sh', ['-c', `promtool check metrics < ${join(dir, 'metrics.txt')}`]);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    } finally {
      await cleanup();
    }
  });
});
