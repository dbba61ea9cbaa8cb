/**
 * One OpenSLO object at a time: apiVersion and kind, then the strict shape of its kind. Every zod
 * issue becomes a diagnostic naming the file, the object's position and the field path.
 */
import { z } from 'zod';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import { describeValue, diagnostic, issueDiagnostics, objectPath, type Path } from './diagnostics.ts';
import type { RawObject } from './documents.ts';
import type { ServiceSpecOpenSlo } from './schema.ts';
import {
  type AlertConditionSpecV1,
  type AlertPolicySpecV1,
  type DataSourceSpecV1,
  type Metadata,
  metadataV1,
  type NotificationTargetSpecV1,
  type SliSpecV1,
  type SloSpecV1,
  V1_SPECS,
} from './v1-schema.ts';
import { metadataV1alpha, type SloSpecV1alpha, V1ALPHA_SPECS } from './v1alpha-schema.ts';

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
    diagnostics: [diagnostic(raw.file, path, code, message, hint)],
  });
  const value = raw.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return error('openslo/type', at, `an OpenSLO object is a mapping, got ${describeValue(value)}`);
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
    metadata: apiVersion === V1 ? metadataV1 : metadataV1alpha,
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
