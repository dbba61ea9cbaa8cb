/**
 * One OpenSLO object at a time: apiVersion and kind, then the strict shape of its kind. Every zod
 * issue becomes a diagnostic naming the file, the object's position and the field path.
 */
import { z } from 'zod';
import type { Diagnostic, Path } from '../../model/diagnostic.ts';
import { objectPath, type RawObject } from './read.ts';
import {
  type AlertConditionSpecV1,
  type AlertPolicySpecV1,
  type DataSourceSpecV1,
  METADATA,
  type Metadata,
  type NotificationTargetSpecV1,
  type ServiceSpecOpenSlo,
  type SliSpecV1,
  type SloSpecV1,
  type SloSpecV1alpha,
  V1_SPECS,
  V1ALPHA_SPECS,
} from './schema.ts';

export const V1 = 'openslo/v1';
export const V1ALPHA = 'openslo/v1alpha';
const V2ALPHA = 'openslo.com/v2alpha';

interface SpecsV1 {
  Service: ServiceSpecOpenSlo;
  SLO: SloSpecV1;
  SLI: SliSpecV1;
  DataSource: DataSourceSpecV1;
  AlertPolicy: AlertPolicySpecV1;
  AlertCondition: AlertConditionSpecV1;
  AlertNotificationTarget: NotificationTargetSpecV1;
}

interface Located {
  readonly file: string;
  readonly index: number;
  readonly metadata: Metadata;
}

export type V1Object = {
  [K in keyof SpecsV1]: Located & {
    readonly apiVersion: typeof V1;
    readonly kind: K;
    readonly spec: SpecsV1[K];
  };
}[keyof SpecsV1];

export type V1alphaObject =
  | (Located & {
      readonly apiVersion: typeof V1ALPHA;
      readonly kind: 'Service';
      readonly spec: ServiceSpecOpenSlo;
    })
  | (Located & { readonly apiVersion: typeof V1ALPHA; readonly kind: 'SLO'; readonly spec: SloSpecV1alpha });

export type OpenSloObject = V1Object | V1alphaObject;
export type Kind = OpenSloObject['kind'];

const describe = (value: unknown): string =>
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
  const make = (code: string, message: string, where: Path = path, hint?: string): Diagnostic => ({
    code,
    severity: 'error',
    file,
    path: where,
    message,
    ...(hint ? { hint } : {}),
  });
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
              `expected ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}, got ${describe(issue.input)}`,
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

function parse<T>(
  schema: z.ZodType<T>,
  value: unknown,
  file: string,
  at: Path,
): { value?: T; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { value: result.data, diagnostics: [] };
  return { diagnostics: result.error.issues.flatMap((i) => issueDiagnostics(file, at, i)) };
}

const KINDS_V1 = Object.keys(V1_SPECS);
const KINDS_V1ALPHA = Object.keys(V1ALPHA_SPECS);

/** Validates one object; `object` is set only when it is valid. */
export function validateObject(raw: RawObject): { object?: OpenSloObject; diagnostics: Diagnostic[] } {
  const at: Path = [objectPath(raw.index)];
  const error = (
    code: string,
    path: Path,
    message: string,
    hint?: string,
  ): { diagnostics: Diagnostic[] } => ({
    diagnostics: [{ code, severity: 'error', file: raw.file, path, message, ...(hint ? { hint } : {}) }],
  });
  const value = raw.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return error('openslo/type', at, `an OpenSLO object is a mapping, got ${describe(value)}`);
  const record = value as Record<string, unknown>;
  const apiVersion = record.apiVersion;
  const kind = record.kind;
  if (apiVersion === V2ALPHA)
    return error(
      'openslo/unsupported-version',
      [...at, 'apiVersion'],
      `${V2ALPHA} is not supported; obsgen reads ${V1} and ${V1ALPHA}`,
      'v2alpha is a draft; write the object as openslo/v1',
    );
  if (apiVersion !== V1 && apiVersion !== V1ALPHA)
    return error(
      apiVersion === undefined ? 'openslo/required' : 'openslo/api-version',
      [...at, 'apiVersion'],
      apiVersion === undefined
        ? 'required field is missing'
        : `${JSON.stringify(apiVersion)} is not an OpenSLO apiVersion; obsgen reads ${V1} and ${V1ALPHA}`,
    );
  const kinds = apiVersion === V1 ? KINDS_V1 : KINDS_V1ALPHA;
  if (typeof kind !== 'string' || !kinds.includes(kind))
    return error(
      kind === undefined ? 'openslo/required' : 'openslo/kind',
      [...at, 'kind'],
      kind === undefined
        ? 'required field is missing'
        : `${JSON.stringify(kind)} is not a kind of ${apiVersion}; expected one of ${kinds.join(', ')}`,
    );
  const spec =
    apiVersion === V1
      ? V1_SPECS[kind as keyof typeof V1_SPECS]
      : V1ALPHA_SPECS[kind as keyof typeof V1ALPHA_SPECS];
  const shape = z.strictObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: apiVersion === V1 ? METADATA.v1 : METADATA.v1alpha,
    spec: spec as z.ZodType,
  });
  // The go-sdk decodes a missing spec as an empty one: its required fields then report.
  const parsed = parse(shape, { ...record, spec: record.spec ?? {} }, raw.file, at);
  if (!parsed.value) return { diagnostics: parsed.diagnostics };
  const object = {
    file: raw.file,
    index: raw.index,
    apiVersion,
    kind,
    metadata: parsed.value.metadata as Metadata,
    spec: parsed.value.spec,
  } as OpenSloObject;
  return { object, diagnostics: [] };
}
