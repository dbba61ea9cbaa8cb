/**
 * `amtool check-config` on every generated Alertmanager configuration (and the templates it
 * names), as Alertmanager would load it: Go regular expressions in matchers, receivers, intervals.
 */
import { ALERTMANAGER_FILE } from '../conventions.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { LintContext } from './context.ts';
import { mapLimit, runTool } from './tools.ts';

/** Paths of the Alertmanager configurations among the documents, with their environment. */
export function alertmanagerConfigs(ctx: LintContext): { env: string; path: string; value: unknown }[] {
  return ctx.documents.flatMap((d) => {
    const env = /^alertmanager\/([^/]+)\/alertmanager\.yaml$/.exec(d.path)?.[1];
    return env !== undefined && d.format === 'yaml' && d.path === ALERTMANAGER_FILE.config(env)
      ? [{ env, path: d.path, value: d.value }]
      : [];
  });
}

/** The definition file of an environment's routing, else the generated file. */
export const routingFile = (ctx: LintContext, env: string, path: string): string =>
  ctx.project.routingFiles?.[env] ?? `${ctx.outDir}/${path}`;

export async function lintAlertmanagerAmtool(ctx: LintContext): Promise<Diagnostic[]> {
  const workDir = await ctx.workDir();
  const results = await mapLimit(alertmanagerConfigs(ctx), 4, async ({ env, path }) => {
    const run = await runTool('amtool', ['check-config', path], workDir);
    if (run.code === 0) return [];
    const reason = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .map((l) => l.replace(/^Checking '[^']*'\s*/, '').trim())
      .filter((l) => l !== '' && !l.startsWith('amtool: error: failed to validate'))
      .join(' | ');
    return [
      {
        code: 'amtool/check-config',
        severity: 'error' as const,
        file: routingFile(ctx, env, path),
        path: [],
        message: `amtool check-config rejects ${ctx.outDir}/${path}: ${reason}`,
        hint: 'Alertmanager reads matchers as Go (RE2) regular expressions: no lookarounds or backreferences, and releases built with Go before 1.22 want (?P<name>...) for named groups',
      },
    ];
  });
  return results.flat();
}
