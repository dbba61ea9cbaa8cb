/**
 * `promtool check rules --lint=all --lint-fatal` on every generated rule file, as Prometheus
 * itself would load it: PromQL types (`rate` of an instant vector), templates, duplicate rules.
 * Findings about one rule name it (and its definition when known); others name the file.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { type LintContext, placeRuleFindings, type RuleFinding, type RuleRef } from './context.ts';
import { mapLimit, runTool } from './tools.ts';

/** `<file>: [line:col: ]group "g", rule N, "name": message` */
const RULE_ERROR = /^.*?: (?:(\d+):\d+: )?group "((?:[^"\\]|\\.)*)", rule (\d+), "((?:[^"\\]|\\.)*)": (.*)$/;
/** `Metric: name` of a duplicate-rule lint error. */
const DUPLICATE_METRIC = /^Metric: (.+)$/;

function findings(
  ctx: LintContext,
  path: string,
  output: string,
): { rules: RuleFinding[]; other: Diagnostic[] } {
  const refs = ctx.rules.filter((r) => r.path === path);
  const rules: RuleFinding[] = [];
  const other: string[] = [];
  const lines = output.split('\n').map((l) => l.trimEnd());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || /^\s*(FAILED|SUCCESS)/.test(line) || line.startsWith('Checking ')) continue;
    const m = RULE_ERROR.exec(line);
    if (m) {
      const [, , group, index, name, message] = m;
      const inGroup = refs.filter((r) => r.group === group);
      const ref = inGroup[Number(index) - 1] ?? inGroup.find((r) => r.name === name);
      if (ref) {
        rules.push({
          ref,
          code: 'promtool/check-rules',
          message: `promtool: ${message}`,
          hint: hintOf(message ?? ''),
        });
        continue;
      }
    }
    if (/duplicate rule/.test(line)) {
      // The rule named on a following "Metric:" line, then "Label(s):" and its labels.
      const metric = DUPLICATE_METRIC.exec(lines[i + 1] ?? '')?.[1];
      const ref: RuleRef | undefined = refs.find((r) => r.name === metric);
      const labels = (lines[i + 3] ?? '').trim();
      if (ref) {
        rules.push({
          ref,
          code: 'promtool/duplicate-rule',
          message: `promtool: ${line.trim()}: ${metric}${labels && !labels.startsWith('Might') ? ` ${labels}` : ''}`,
          hint: 'two rules record the same series with the same labels in one file; Prometheus would keep only one',
        });
        i += 2;
        continue;
      }
    }
    other.push(line.trim());
  }
  const diagnostics: Diagnostic[] =
    other.length > 0 && rules.length === 0
      ? [
          {
            code: 'promtool/check-rules',
            severity: 'error',
            file: `${ctx.outDir}/${path}`,
            path: [],
            message: `promtool check rules failed: ${other.join(' | ')}`,
          },
        ]
      : [];
  return { rules, other: diagnostics };
}

function hintOf(message: string): string {
  if (/expected type range vector/.test(message)) return 'give the function a range: rate(x[5m])';
  if (/template/.test(message))
    return 'annotations are Go templates: {{ $labels.name }}, {{ $value | humanize }}';
  return 'promtool rejects what Prometheus would refuse to load';
}

export async function lintPrometheusPromtool(ctx: LintContext): Promise<Diagnostic[]> {
  const files = [...new Set(ctx.rules.map((r) => r.path))].sort();
  const workDir = await ctx.workDir();
  const results = await mapLimit(files, 4, async (path) => {
    const run = await runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', path], workDir);
    if (run.code === 0) return { rules: [], other: [] };
    return findings(ctx, path, `${run.stdout}\n${run.stderr}`);
  });
  // Placed together, so one finding in every environment's file is reported once.
  return [
    ...placeRuleFindings(
      ctx,
      results.flatMap((r) => r.rules),
    ),
    ...results.flatMap((r) => r.other),
  ];
}
