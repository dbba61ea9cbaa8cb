/** Lint output: text for people, JSON for programs, GitHub workflow commands for annotations. */
import { type Diagnostic, formatDiagnostic } from '../model/diagnostic.ts';

export const LINT_FORMATS = ['text', 'json', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Escapes the message of a workflow command (GitHub: `%`, CR and LF). */
const escapeData = (text: string): string =>
  text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
/** Escapes a property of a workflow command (also `:` and `,`). */
const escapeProperty = (text: string): string =>
  escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** `::error file=F,line=L,title=CODE::path: message (hint)`: one annotation per diagnostic. */
export function githubAnnotation(d: Diagnostic): string {
  const props = [
    `file=${escapeProperty(d.file)}`,
    ...(d.line !== undefined ? [`line=${d.line}`] : []),
    `title=${escapeProperty(d.code)}`,
  ].join(',');
  const where = d.path.length > 0 ? `${d.path.join('.')}: ` : '';
  const hint = d.hint ? `\nhint: ${d.hint}` : '';
  return `::${d.severity} ${props}::${escapeData(`${where}${d.message}${hint}`)}`;
}

const summary = (diagnostics: readonly Diagnostic[], checks: number): string => {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return `lint: clean (${checks} checks).`;
  return `lint: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
};

/** The whole report in one format; `checks` is how many checks ran. */
export function formatLint(diagnostics: readonly Diagnostic[], format: LintFormat, checks: number): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        {
          diagnostics,
          errors: diagnostics.filter((d) => d.severity === 'error').length,
          warnings: diagnostics.filter((d) => d.severity === 'warning').length,
        },
        null,
        2,
      )}\n`;
    case 'github':
      return `${[...diagnostics.map(githubAnnotation), summary(diagnostics, checks)].join('\n')}\n`;
    case 'text':
      return `${[...diagnostics.map(formatDiagnostic), summary(diagnostics, checks)].join('\n')}\n`;
  }
}
