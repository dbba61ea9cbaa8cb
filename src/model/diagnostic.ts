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
