import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectedMetrics } from '../src/checks/dashboard-queries.ts';
import { formatDiagnostic, generate } from '../src/index.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

async function generateInto(root: string) {
  const { dir, cleanup } = await tempDir();
  try {
    const result = await generate({ root, outDir: join(dir, 'generated') });
    const written = await access(join(dir, 'generated')).then(
      () => true,
      () => false,
    );
    return { result, written };
  } finally {
    await cleanup();
  }
}

describe('dashboard query check', () => {
  it('finds the metric names a query selects, and syntax errors', () => {
    expect(
      selectedMetrics('sum by (a) (rate(x_total{a="1"}[5m])) / on() group_left {__name__="y"}').names,
    ).toEqual(['x_total', 'y']);
    expect(selectedMetrics('time() - max(ts) > bool 7200').names).toEqual(['ts']);
    expect(selectedMetrics('sum(rate(x[5m])').problems.map((p) => p.code)).toEqual([
      'dashboards/promql-syntax',
    ]);
    expect(selectedMetrics('{__name__=~"slo:.*"}').problems.map((p) => p.code)).toEqual([
      'dashboards/unnamed-selector',
    ]);
  });

  it('fails generation for queries selecting unknown series, writing nothing', async () => {
    const { result, written } = await generateInto(fixture('dashboards-unknown-series'));
    expect(result.drift).toBeUndefined();
    expect(written).toBe(false);
    await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'dashboards-unknown-series', 'diagnostics.txt'),
    );
  });

  it('reports invalid dashboard definitions by file and field', async () => {
    const { result, written } = await generateInto(fixture('dashboards-invalid'));
    expect(result.drift).toBeUndefined();
    expect(written).toBe(false);
    await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'dashboards-invalid', 'diagnostics.txt'),
    );
  });

  it('exits 1 from the CLI with the diagnostics and no stack trace', async () => {
    const run = await tool(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      fixture('dashboards-unknown-series'),
      'generate',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dashboards/shop.ts: business.rows.0.panels.carts.expr: error:');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
