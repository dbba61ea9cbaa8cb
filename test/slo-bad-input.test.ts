import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { formatDiagnostic, generate } from '../src/index.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', name);

/** An output directory holding one file, so "nothing written" means it is exactly as before. */
async function sentinelOutput(name: string): Promise<string> {
  const out = join(dir, name, 'generated');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'keep.txt'), 'untouched\n');
  return out;
}

/** Each bad SLO fixture (one mistake in test/fixtures/slo-valid) and the codes it must produce. */
const CASES: { fixture: string; codes: string[] }[] = [
  { fixture: 'slo-objective-range', codes: ['slo/objective-range'] },
  { fixture: 'slo-objective-percent', codes: ['slo/objective-range'] },
  { fixture: 'slo-malformed-duration', codes: ['duration/malformed'] },
  { fixture: 'slo-duplicate-id', codes: ['slo/duplicate-id'] },
  { fixture: 'slo-empty-service-name', codes: ['name/empty'] },
  { fixture: 'slo-unknown-sli-kind', codes: ['sli/unknown-kind'] },
  { fixture: 'slo-label-quote', codes: ['label/unsafe-value'] },
  { fixture: 'slo-label-newline', codes: ['label/unsafe-value'] },
  { fixture: 'slo-label-brace', codes: ['label/unsafe-value'] },
  { fixture: 'slo-unknown-label', codes: ['metric/unknown-label'] },
  {
    fixture: 'slo-window-exceeds-period',
    codes: ['slo/window-exceeds-period', 'slo/window-exceeds-period', 'slo/window-exceeds-period'],
  },
  { fixture: 'slo-workbook-period', codes: ['slo/window-policy'] },
];

describe('bad SLO definitions', () => {
  it.each(CASES)(
    '$fixture: a diagnostic naming file and field, nothing written',
    async ({ fixture: name, codes }) => {
      const root = fixture(name);
      const out = await sentinelOutput(name);
      const result = await generate({ root, outDir: relative(root, out) });
      expect(result.drift).toBeUndefined();
      expect(result.diagnostics.map((d) => d.code)).toEqual(codes);
      for (const d of result.diagnostics) {
        expect(d.severity).toBe('error');
        expect(d.file).toBe('slos/shop.ts');
        expect(d.path.length).toBeGreaterThan(0);
      }
      expect(await readdir(out)).toEqual(['keep.txt']);
      expect(await readFile(join(out, 'keep.txt'), 'utf8')).toBe('untouched\n');
      await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
        join('golden', 'bad-input', `${name}.txt`),
      );
    },
  );

  it('the valid fixture they derive from generates', async () => {
    const root = fixture('slo-valid');
    const out = await sentinelOutput('slo-valid');
    const result = await generate({ root, outDir: relative(root, out) });
    expect(result.diagnostics).toEqual([]);
    // keep.txt was not written by obsgen: it is kept, never removed as stale.
    expect(result.drift?.extra).toEqual([]);
    expect(await readFile(join(out, 'keep.txt'), 'utf8')).toBe('untouched\n');
    expect(await readdir(join(out, 'prometheus', 'production'))).toEqual(['shop.rules.yaml']);
  });

  it('the CLI prints the diagnostic without a stack trace, exits 1 and writes nothing', async () => {
    const root = fixture('slo-objective-percent');
    const failure = await run(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      root,
      'generate',
    ]).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failure ? failure.code : 0).toBe(1);
    expect(failure.stderr).toBe(
      [
        'slos/shop.ts: errors.objective: error: must be a fraction in (0, 1), got 99.9 [slo/objective-range]',
        '  hint: write 0.999 for 99.9%',
        '1 error; nothing was written.',
        '',
      ].join('\n'),
    );
    expect(await readdir(root)).toEqual(['slos']);
  });
});

describe('label values that YAML 1.1 reads as booleans or numbers', () => {
  it('stay strings for Go readers and pass promtool', async () => {
    const root = fixture('slo-yaml11-words');
    const out = join(dir, 'yaml11', 'generated');
    const result = await generate({ root, outDir: relative(root, out) });
    expect(result.diagnostics).toEqual([]);
    const file = join(out, 'prometheus', 'production', 'shop.rules.yaml');
    const text = await readFile(file, 'utf8');
    // Read back the way Prometheus' Go YAML 1.1 parser does.
    const parsed = YAML.parse(text, { version: '1.1' }) as {
      groups: { rules: { alert?: string; expr: string; labels?: Record<string, unknown> }[] }[];
    };
    const alert = parsed.groups.flatMap((g) => g.rules).find((r) => r.alert === 'ErrorsBudgetBurn');
    expect(alert?.labels).toMatchObject({ team_tier: 'no', version: '1.10', flag: 'off' });
    expect(text).toContain(`team_tier: "no"`);
    expect(text).toContain(`version: "1.10"`);
    const selector = parsed.groups
      .flatMap((g) => g.rules)
      .find((r) => r.expr.includes('http_requests_total'));
    expect(selector?.expr).toContain('namespace="y"');
    expect(selector?.expr).toContain('job="on"');
    const checked = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', file]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });
});
