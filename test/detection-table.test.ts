/** The README's detection table is the one the window math computes, and its rows hold up. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectionTable } from '../src/commands/explain.ts';
import { parseDurationMs } from '../src/model/units.ts';
import { ROOT } from './helpers/tools.ts';

const readmeTable = (): string => {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- detection-table:start -->\n([\s\S]*?)\n<!-- detection-table:end -->/.exec(text);
  return match?.[1] ?? '';
};

describe('the README detection table', () => {
  it('equals the computed one (regenerate with: npm run docs:table)', () => {
    expect(readmeTable()).toBe(detectionTable());
  });

  it('pages a total outage of a request SLI within minutes at every objective', () => {
    const rows = detectionTable()
      .split('\n')
      .filter((r) => r.includes('| request |'));
    expect(rows.length).toBe(12);
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      expect(cells[4], row).toMatch(/^1h\/5m, 6h\/30m$|^56m\/280s, 336m\/28m$/);
      const seconds = (parseDurationMs(cells[5] ?? '') ?? Number.POSITIVE_INFINITY) / 1000;
      expect(seconds, row).toBeLessThan(15 * 60);
    }
  });
});
