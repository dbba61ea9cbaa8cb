/**
 * Proof that imported definitions alert like the tool they came from: import into a temporary
 * project, generate, then run promtool over a unit-test file that loads BOTH rule sets (the other
 * tool's own generated rules and obsgen's) on the same synthetic series, and read when each alert
 * first fired.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeFiles } from '../../src/emit/index.ts';
import { generate, type ImportFormat, importDefinitions } from '../../src/index.ts';
import { formatDiagnostic } from '../../src/model/diagnostic.ts';
import { ROOT, tool } from './tools.ts';

export const API = join(ROOT, 'src', 'model', 'index.ts');

/** Imports `paths` into `dir` (a fresh project), generates it; returns obsgen's rule files. */
export async function importAndGenerate(
  format: ImportFormat,
  paths: readonly string[],
  dir: string,
): Promise<{ rules: string[]; warnings: string[] }> {
  const imported = await importDefinitions({ format, paths, root: ROOT, out: dir, api: API });
  if (!imported.tree) throw new Error(imported.diagnostics.map(formatDiagnostic).join('\n'));
  await writeFiles(dir, imported.tree);
  const generated = await generate({ root: dir });
  if (!generated.drift) throw new Error(generated.diagnostics.map(formatDiagnostic).join('\n'));
  const rulesDir = join(dir, 'generated', 'prometheus', 'production');
  const rules = (await readdir(rulesDir))
    .filter((f) => f.endsWith('.rules.yaml'))
    .map((f) => join(rulesDir, f));
  return { rules, warnings: imported.diagnostics.map(formatDiagnostic) };
}

/** Plain rule groups from a PrometheusRule object (Sloth's Kubernetes output), or the file as is. */
export async function plainRules(file: string, dir: string, name: string): Promise<string> {
  const text = await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'));
  const docs = YAML.parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((d) => d);
  const groups = docs.flatMap(
    (d: { groups?: unknown[]; spec?: { groups?: unknown[] } }) => d.groups ?? d.spec?.groups ?? [],
  );
  const out = join(dir, `${name}.theirs.rules.yaml`);
  await writeFile(out, YAML.stringify({ groups }));
  return out;
}

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/**
 * Seconds after `fromSeconds` at which each ALERTS selector (name it `alertstate` to tell pending
 * from firing) first matched by `evalSeconds`, or undefined when it never did. promtool evaluates every rule of both files;
 * the first firing time is read as min_over_time(timestamp(ALERTS{...}[...])).
 */
export async function firstAlerts(
  ruleFiles: readonly string[],
  series: readonly InputSeries[],
  evalSeconds: number,
  fromSeconds: number,
  selectors: readonly string[],
  dir: string,
): Promise<(number | undefined)[]> {
  // Relative to fromSeconds: promtool prints three significant digits.
  const queries = selectors.map(
    (s) => `min(min_over_time(timestamp(ALERTS{${s}})[${evalSeconds}s:30s])) - ${fromSeconds}`,
  );
  const test = {
    rule_files: [...ruleFiles],
    evaluation_interval: '30s',
    tests: [
      {
        interval: '30s',
        input_series: series.map((s) => ({ series: s.series, values: s.values })),
        // -1 is never a firing time: every check fails and promtool prints what it got.
        promql_expr_test: queries.map((expr) => ({
          expr,
          eval_time: `${evalSeconds}s`,
          exp_samples: [{ labels: '{}', value: -1 }],
        })),
      },
    ],
  };
  const file = join(dir, `proof-${Math.random().toString(36).slice(2)}.test.yaml`);
  await writeFile(file, YAML.stringify(test));
  const result = await tool('promtool', ['test', 'rules', file]);
  const output = result.stdout + result.stderr;
  if (/could not|error loading|parse error|bad_data/i.test(output) && !/got:/.test(output))
    throw new Error(`promtool failed:\n${output}`);
  // One failure block per query, in order: `expr: "...", time: ...` then `got: ...`.
  return queries.map((expr) => {
    const at = output.indexOf(`expr: ${JSON.stringify(expr)}`);
    if (at < 0) throw new Error(`no promtool result for ${expr}:\n${output}`);
    const got = /got:\s*(.*)/.exec(output.slice(at))?.[1] ?? '';
    const value = /^\{\}\s+(\S+)/.exec(got.trim());
    return value ? Number(value[1]) : undefined;
  });
}
