/** Prometheus queries found in OpenSLO files, checked before any indicator is built from them. */
import type { Environment } from '../../../model/service.ts';
import { regexProblemsOf } from '../../../promql/index.ts';
import type { FileReport, Path } from './diagnostics.ts';
import { parsePromql } from './query-rewrite.ts';

/** A Prometheus query found in an OpenSLO file. */
export interface Source {
  readonly query: string;
  readonly file: string;
  /** Path of the metric source in its file. */
  readonly path: Path;
}

/** Every `{{...}}` placeholder of an SLI's queries other than the window: names of `vars`, and unknown ones. */
export function placeholdersOf(query: string): { vars: string[]; unknown: string[] } {
  const vars: string[] = [];
  const unknown: string[] = [];
  for (const match of query.matchAll(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g)) {
    const key = match[1] as string;
    if (key === 'window' || key === 'namespace') continue;
    if (/^vars\.[A-Za-z_][A-Za-z0-9_]*$/.test(key)) vars.push(key.slice(5));
    else unknown.push(match[0]);
  }
  for (const match of query.matchAll(/\{\{(?!\s*\.[A-Za-z_][A-Za-z0-9_.]*\s*\}\})/g)) unknown.push(match[0]);
  return { vars, unknown };
}

/** The source when its query parses and every placeholder can be filled in every environment; reports why not. */
export function checkedSource(
  source: Source,
  report: FileReport,
  environments: readonly Environment[],
): Source | undefined {
  const parsed = parsePromql(source.query);
  if (!parsed.ok) {
    report(source.file, source.path, 'openslo/promql', parsed.message);
    return undefined;
  }
  const { vars, unknown } = placeholdersOf(source.query);
  let ok = true;
  for (const problem of regexProblemsOf(parsed.query.root)) {
    ok = false;
    report(source.file, source.path, 'openslo/regex', problem);
  }
  for (const text of unknown) {
    ok = false;
    report(
      source.file,
      source.path,
      'openslo/placeholder',
      `unknown placeholder ${text}`,
      'obsgen fills {{.window}}, {{.namespace}} and {{.vars.NAME}} (NAME from the environment vars)',
    );
  }
  for (const name of new Set(vars))
    for (const env of environments)
      if (env.vars?.[name] === undefined) {
        ok = false;
        report(
          source.file,
          source.path,
          'openslo/placeholder',
          `{{.vars.${name}}}: environment ${env.name} has no vars.${name}`,
          `add vars: { ${name}: '...' } to the ${env.name} environment`,
        );
      }
  return ok ? source : undefined;
}
