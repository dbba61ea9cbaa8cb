/** A problem found in definitions or generated output: data, never an exception. */
export interface Diagnostic {
  /** Stable identifier of the check, `area/what` (`slo/objective-range`). */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** File the problem is in, relative to the project root. */
  readonly file: string;
  /** Field path inside the file's definitions (`['availability', 'objective']`). */
  readonly path: readonly (string | number)[];
  /** 1-based line in `file`, when the finding is in a generated file whose lines are known. */
  readonly line?: number;
  /** What is wrong, with the offending value. */
  readonly message: string;
  /** One line on how to fix it. */
  readonly hint?: string;
}

/**
 * `file: a.b.c: error: message [code]` (`file:line:` when the line is known) and the hint on its
 * own indented line.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path.length > 0 ? `${d.path.join('.')}: ` : '';
  const file = d.line === undefined ? d.file : `${d.file}:${d.line}`;
  const head = `${file}: ${where}${d.severity}: ${d.message} [${d.code}]`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/** Thrown by the library when definitions are invalid; carries every diagnostic found. */
export class DefinitionError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DefinitionError';
    this.diagnostics = diagnostics;
  }
}

/** Field path of a diagnostic while it is built: keys, array indexes, readable names. */
export type Path = (string | number)[];

/** Records one error at a field path of the file being checked. */
export type Report = (code: string, path: Path, message: string, hint?: string) => void;

/** A `Report` that appends errors in `file` to `diagnostics`. */
export function reporter(file: string, diagnostics: Diagnostic[]): Report {
  return (code, path, message, hint) =>
    diagnostics.push({ code, severity: 'error', file, path, message, ...(hint ? { hint } : {}) });
}

/** What a diagnostic takes from a schema issue; zod's issues have this shape. */
export interface SchemaIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** An issue path as a diagnostic path (zod allows symbol keys; definitions never use them). */
export const issuePath = (path: readonly PropertyKey[]): Path =>
  path.map((key) => (typeof key === 'symbol' ? key.toString() : key));

export interface IssueOptions<I extends SchemaIssue> {
  /** Path of the checked value inside its file. @default [] */
  readonly at?: Path;
  /** Readable path of an issue (named items instead of indexes). @default its path as is */
  readonly path?: (issue: I) => Path;
  /** A code more telling than `schema/<issue code>` for some issues; undefined keeps that one. */
  readonly code?: (issue: I) => string | undefined;
}

/** Reports each schema issue as an error, `schema/<issue code>` unless `code` names a better one. */
export function reportIssues<I extends SchemaIssue>(
  report: Report,
  issues: readonly I[],
  options: IssueOptions<I> = {},
): void {
  for (const issue of issues)
    report(
      options.code?.(issue) ?? `schema/${issue.code.replaceAll('_', '-')}`,
      [...(options.at ?? []), ...(options.path?.(issue) ?? issuePath(issue.path))],
      issue.message,
    );
}

/** An error at a field of a file (for readers that span many files, where no `Report` is bound). */
export const errorAt = (
  file: string,
  path: Path,
  code: string,
  message: string,
  hint?: string,
): Diagnostic => ({
  code,
  severity: 'error',
  file,
  path,
  message,
  ...(hint ? { hint } : {}),
});

/** A warning at a field of a file: the input was read, but something changed on the way. */
export const warningAt = (
  file: string,
  path: Path,
  code: string,
  message: string,
  hint?: string,
): Diagnostic => ({
  ...errorAt(file, path, code, message, hint),
  severity: 'warning',
});
