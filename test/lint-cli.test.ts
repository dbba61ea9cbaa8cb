/** `obsgen lint` output formats, and the command end to end as a process (exit codes 0, 1, 2). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLint } from '../src/index.ts';
import type { Diagnostic } from '../src/model/diagnostic.ts';
import { ROOT } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

/** Runs the CLI through node itself (so PATH can lack the tools), never throwing on exit codes. */
function obsgen(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'src', 'cli', 'bin.js'), ...args],
      { env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const DIAGNOSTICS: Diagnostic[] = [
  {
    code: 'rules/duplicate',
    severity: 'error',
    file: 'generated/prometheus/production/extra.rules.yaml',
    line: 12,
    path: ['extra', 'slo:sli_total:rate5m'],
    message:
      'slo:sli_total:rate5m {slo="errors"} is also generated in generated/prometheus/production/shop.rules.yaml:16',
    hint: 'generate the rule once',
  },
  {
    code: 'conventions/for-bounds',
    severity: 'error',
    file: 'alerts/critical.ts',
    path: ['ShopErrors', 'for'],
    message: 'for 1h is above the 15m bound of critical alerts (in production, staging): 100% sure',
  },
  {
    code: 'example/warning',
    severity: 'warning',
    file: 'slos/a,b.ts',
    path: [],
    message: 'two\nlines',
  },
];

describe('lint output formats', () => {
  it('text: one diagnostic per line with its hint, then a summary', async () => {
    await expect(formatLint(DIAGNOSTICS, 'text', 13)).toMatchFileSnapshot(
      join('golden', 'lint', 'format.txt'),
    );
    expect(formatLint([], 'text', 13)).toBe('lint: clean (13 checks).\n');
  });

  it('github: workflow commands with file, line and title, data and properties escaped', async () => {
    const out = formatLint(DIAGNOSTICS, 'github', 13);
    await expect(out).toMatchFileSnapshot(join('golden', 'lint', 'format.github.txt'));
    const [first, second, third] = out.split('\n');
    expect(first).toMatch(
      /^::error file=generated\/prometheus\/production\/extra\.rules\.yaml,line=12,title=rules\/duplicate::/,
    );
    expect(second).toContain('100%25 sure');
    expect(third).toMatch(/^::warning file=slos\/a%2Cb\.ts,title=example\/warning::two%0Alines$/);
  });

  it('json: the diagnostics and their counts', () => {
    const parsed = JSON.parse(formatLint(DIAGNOSTICS, 'json', 13)) as {
      diagnostics: Diagnostic[];
      errors: number;
      warnings: number;
    };
    expect(parsed).toEqual({ diagnostics: DIAGNOSTICS, errors: 2, warnings: 1 });
  });
});

describe('obsgen lint as a process', () => {
  it('exits 0 on a clean project', async () => {
    const run = await obsgen(['--root', fixture('lint-clean'), 'lint']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^lint: clean \(\d+ checks\)\.\n$/);
    expect(run.code).toBe(0);
  });

  it('exits 1 with GitHub annotations for findings', async () => {
    const run = await obsgen(['--root', fixture('lint-series'), 'lint', '--format', 'github']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, -1).every((l) => l.startsWith('::error file='))).toBe(true);
    expect(run.stdout).toContain(
      '::error file=alerts/warning.ts,title=series/unknown-metric::ShopOrdersStalled.expr:',
    );
    expect(lines.at(-1)).toMatch(/^lint: \d+ errors, 0 warnings\.$/);
  });

  it('exits 1 with JSON for findings', async () => {
    const run = await obsgen(['--root', fixture('lint-counters'), 'lint', '--format', 'json']);
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { diagnostics: Diagnostic[]; errors: number };
    expect(parsed.errors).toBe(parsed.diagnostics.length);
    expect(parsed.diagnostics.map((d) => d.code)).toContain('counters/not-a-counter');
  });

  it('exits 2 on a usage error and when a tool is missing, without a stack trace', async () => {
    const usage = await obsgen(['--root', fixture('lint-clean'), 'lint', '--format', 'xml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown format "xml"; expected one of text, json, github');
    const missing = await obsgen(['--root', fixture('lint-clean'), 'lint'], {
      ...process.env,
      PATH: '/nonexistent',
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/obsgen: (promtool|amtool) is not installed/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
