/**
 * The diagnostics of the OpenSLO import: one constructor, one way to map a zod issue, and where a
 * model diagnostic of an imported service points in the OpenSLO files.
 */
import type { z } from 'zod';
import { type Diagnostic, errorAt, type Path } from '../../../model/diagnostic.ts';
import { OPENSLO } from '../names.ts';

export type { Path } from '../../../model/diagnostic.ts';

/**
 * Records an error in one of the files being imported (an import spans many files, so the file is
 * an argument; the model's `Report` is bound to one file).
 */
export type FileReport = (file: string, path: Path, code: string, message: string, hint?: string) => void;

/** The path head that names an object in diagnostics: `documents[2]`. */
export const objectPath = (index: number): string => `documents[${index}]`;

/** Every problem of the import is an error: the definitions it would produce would be wrong. */
export const diagnostic = errorAt;

/** A warning: the object converted, but something changed on the way (a calendar window made rolling). */
export const warner =
  (diagnostics: Diagnostic[]): FileReport =>
  (file, path, code, message, hint) =>
    diagnostics.push({ ...diagnostic(file, path, code, message, hint), severity: 'warning' });

/** A report that appends to `diagnostics`. */
export const reporter =
  (diagnostics: Diagnostic[]): FileReport =>
  (file, path, code, message, hint) =>
    diagnostics.push(diagnostic(file, path, code, message, hint));

/** What a value is, in the words of a message: `a mapping`, `a list`, `a string`. */
export const describeValue = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'a mapping'
        : `a ${typeof value}`;

const EXPECTED: Record<string, string> = { record: 'a mapping', object: 'a mapping', array: 'a list' };

const missing = (issue: z.core.$ZodIssue): boolean => !('input' in issue) || issue.input === undefined;

/** Diagnostics of one zod issue; `at` is the path of the object inside its file. */
export function issueDiagnostics(file: string, at: Path, issue: z.core.$ZodIssue): Diagnostic[] {
  const path = [...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const make = (code: string, message: string, where: Path = path, hint?: string): Diagnostic =>
    diagnostic(file, where, code, message, hint);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        make(
          'openslo/unknown-field',
          `unknown field ${JSON.stringify(key)}`,
          [...path, key],
          'check the spelling against the OpenSLO specification; unknown fields are refused',
        ),
      );
    case 'invalid_type':
      return [
        missing(issue)
          ? make('openslo/required', 'required field is missing')
          : make(
              'openslo/type',
              `expected ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}, got ${describeValue(issue.input)}`,
            ),
      ];
    case 'invalid_value':
      if (missing(issue)) return [make('openslo/required', 'required field is missing')];
      return [
        make(
          'openslo/value',
          issue.message.startsWith('Invalid')
            ? `must be one of ${issue.values.map(String).join(', ')}; got ${JSON.stringify(issue.input)}`
            : issue.message,
        ),
      ];
    case 'custom': {
      const code = (issue.params as { code?: string } | undefined)?.code ?? 'openslo/invalid';
      return [make(code, issue.message)];
    }
    case 'invalid_format':
      return [make(issue.message.includes('DNS-1123') ? 'openslo/name' : 'openslo/format', issue.message)];
    case 'too_small':
      return [
        make(
          issue.minimum === 1 && issue.origin === 'string' ? 'openslo/required' : 'openslo/range',
          issue.message,
        ),
      ];
    case 'too_big':
      return [make('openslo/range', issue.message)];
    default:
      return [make('openslo/invalid', issue.message)];
  }
}

/**
 * A zod issue inside a JSON annotation, as one line of the annotation's diagnostic: the annotation
 * is the diagnostic's path, so the issue's own path leads the message (`root` when it is empty).
 */
export const issueLine = (issue: z.core.$ZodIssue, root: string): string =>
  `${issue.path.join('.') || root}: ${issue.message}`;

/** Where a model SLO came from: its OpenSLO object and the fields its model fields were read from. */
export interface SloOrigin {
  readonly file: string;
  /** The object's path head, `documents[i]`. */
  readonly at: string;
  /** Index of the objective in `spec.objectives`. */
  readonly objective: number;
  /** Path of the indicator inside the object. */
  readonly indicator: Path;
}

/** A model diagnostic of an imported service, pointed at the OpenSLO object it came from. */
export function atOrigin(
  d: Diagnostic,
  origins: ReadonlyMap<string, SloOrigin>,
  service: { readonly file: string; readonly index: number },
): Diagnostic {
  const head = d.path[0];
  const origin = typeof head === 'string' ? origins.get(head) : undefined;
  if (!origin) return { ...d, file: service.file, path: [objectPath(service.index), ...d.path] };
  const [field, ...rest] = d.path.slice(1);
  const fields: Record<string, Path> = {
    id: ['metadata', 'name'],
    description: ['spec', 'description'],
    objective: ['spec', 'objectives', origin.objective],
    period: ['spec', 'timeWindow', 0, 'duration'],
    sli: origin.indicator,
    groupBy: ['metadata', 'annotations', OPENSLO.annotation.groupBy],
    alerting: ['spec', 'alertPolicies'],
  };
  const mapped = typeof field === 'string' ? fields[field] : undefined;
  return {
    ...d,
    file: origin.file,
    path: [
      origin.at,
      ...(mapped ?? ['spec', ...(field === undefined ? [] : [field])]),
      ...(mapped ? [] : rest),
    ],
  };
}

const indexOf = (d: Diagnostic): number => Number(/^documents\[(\d+)\]$/.exec(String(d.path[0]))?.[1] ?? -1);

/** Exact repeats dropped; by file, then by object position; the order of the checks within an object is kept. */
export function sortedDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const k = JSON.stringify(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : indexOf(a) - indexOf(b)));
}
