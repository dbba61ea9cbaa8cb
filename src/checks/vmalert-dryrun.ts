/**
 * `vmalert -dryRun` on the rule files of every environment whose engine is vmalert: vmalert's own
 * parser, which refuses group fields it does not know (`query_offset`), template functions it does
 * not define (graphLink, tableLink, toTime) and PromQL/MetricsQL it cannot parse. Projects without
 * a vmalert environment never run it, so they need no vmalert installed.
 */
import { ruleFilePath } from '../compile/prometheus/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { type LintContext, placeRuleFindings, type RuleFinding } from './context.ts';
import { mapLimit, runTool } from './tools.ts';

/** `invalid group "g" in file "f": ... for rule "g"."name": <message>` */
const RULE_ERROR =
  /invalid group "((?:[^"\\]|\\.)*)" in file "[^"]*": .*?rule "(?:[^"\\]|\\.)*"\."((?:[^"\\]|\\.)*)": (.*)$/;

/** The rule files of the vmalert environments, by path under the output folder, sorted. */
export const vmalertRuleFiles = (ctx: LintContext): string[] =>
  [
    ...new Set(
      ctx.artifacts.services
        .filter(({ env }) => env.engine === 'vmalert')
        .map(({ svc, env }) => ruleFilePath(svc, env)),
    ),
  ].sort();

/** vmalert's complaint, without its log prefix (`<time>\tfatal\t<source>\t`). */
const complaint = (output: string): string => {
  const fatal =
    output.split('\n').find((line) => /\tfatal\t/.test(line)) ?? output.trim().split('\n').at(-1) ?? '';
  return fatal.replace(/^\S+\tfatal\t\S+\t/, '').trim();
};

function findings(
  ctx: LintContext,
  path: string,
  output: string,
): { rules: RuleFinding[]; other: Diagnostic[] } {
  const message = complaint(output);
  const m = RULE_ERROR.exec(message);
  const ref = m ? ctx.rules.find((r) => r.path === path && r.group === m[1] && r.name === m[2]) : undefined;
  if (m && ref)
    return {
      rules: [
        {
          ref,
          code: 'vmalert/dry-run',
          message: `vmalert -dryRun: ${m[3]}`,
          hint: 'vmalert refuses what it cannot evaluate: its template functions lack graphLink, tableLink and toTime',
        },
      ],
      other: [],
    };
  return {
    rules: [],
    other: [
      {
        code: 'vmalert/dry-run',
        severity: 'error',
        file: `${ctx.outDir}/${path}`,
        path: [],
        message: `vmalert -dryRun refuses the file: ${message}`,
      },
    ],
  };
}

export async function lintVmalertDryRun(ctx: LintContext): Promise<Diagnostic[]> {
  const files = vmalertRuleFiles(ctx);
  if (files.length === 0) return [];
  const workDir = await ctx.workDir();
  const results = await mapLimit(files, 2, async (path) => {
    const run = await runTool('vmalert', ['-dryRun', `-rule=${path}`, '-loggerLevel=ERROR'], workDir);
    if (run.code === 0) return { rules: [], other: [] };
    return findings(ctx, path, `${run.stdout}\n${run.stderr}`);
  });
  return [
    ...placeRuleFindings(
      ctx,
      results.flatMap((r) => r.rules),
    ),
    ...results.flatMap((r) => r.other),
  ];
}
