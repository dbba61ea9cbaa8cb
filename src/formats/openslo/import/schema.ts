/**
 * Strict shapes of OpenSLO v1 and v1alpha objects, as strict as the OpenSLO go-sdk (pkg/openslo/v1,
 * v1alpha): unknown fields are refused (the go-sdk decodes with DisallowUnknownFields), names are
 * DNS-1123 labels, "exactly one of" rules and the per-budgeting-method requirements hold. Custom
 * issues carry their diagnostic code in `params.code`.
 */
import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const ANNOTATION_KEY_LENGTH = /^(.{0,253}\/)?.{0,63}$/;
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
/** OpenSLO duration shorthand: a positive integer and one of m h d w M Q Y. */
export const DURATION_SHORTHAND = /^(\d+)([mhdwMQY])$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** The go-sdk limit on description fields, characters. */
const MAX_DESCRIPTION = 1050;

type Ctx = z.RefinementCtx;

function issue(ctx: Ctx, code: string, message: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, params: { code } });
}

/** Exactly one (or, with `optional`, at most one) of the named fields is set. */
function exactlyOne(
  ctx: Ctx,
  value: Record<string, unknown>,
  fields: readonly string[],
  optional = false,
  path: (string | number)[] = [],
): void {
  const set = fields.filter((f) => value[f] !== undefined);
  if (set.length > 1)
    issue(ctx, 'openslo/exactly-one', `${set.join(' and ')} are mutually exclusive; set only one`, path);
  else if (set.length === 0 && !optional)
    issue(ctx, 'openslo/exactly-one', `one of ${fields.join(', ')} must be set, none was given`, path);
}

/**
 * A list with a length rule. Zod skips the items when a length check fails; this reports both,
 * so every problem is listed at once.
 */
function list<T extends z.ZodType>(item: T, min: number, max: number, message: string) {
  return z.array(item).refine((items) => items.length >= min && items.length <= max, {
    error: message,
    when: (payload) => Array.isArray(payload.value),
    params: { code: 'openslo/length' },
  });
}

const dnsLabel = z
  .string()
  .max(63, { error: 'must be at most 63 characters (DNS-1123 label)' })
  .regex(DNS_LABEL, {
    error: (i) =>
      `${JSON.stringify(i.input)} is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
  });

const description = z
  .string()
  .max(MAX_DESCRIPTION, { error: `must be at most ${MAX_DESCRIPTION} characters` });

const duration = z.string().superRefine((value, ctx) => {
  const match = DURATION_SHORTHAND.exec(value);
  if (!match)
    issue(
      ctx,
      'openslo/duration',
      `${JSON.stringify(value)} is not an OpenSLO duration: a whole number and one of m h d w M Q Y`,
    );
  else if (Number(match[1]) === 0) issue(ctx, 'openslo/duration', 'a duration must be positive');
});

const operator = z.enum(['gt', 'lt', 'gte', 'lte']);

const labels = z.record(
  z.string().regex(LABEL_KEY, { error: (i) => `label key ${JSON.stringify(i.input)} is not valid` }),
  z.union([z.string(), z.array(z.string())], { error: 'a label value is a string or a list of strings' }),
);

const annotations = z.record(
  z
    .string()
    .regex(ANNOTATION_KEY_LENGTH, { error: (i) => `annotation key ${JSON.stringify(i.input)} is too long` })
    .regex(ANNOTATION_KEY, { error: (i) => `annotation key ${JSON.stringify(i.input)} is not valid` }),
  z.string(),
);

const metadata = z.strictObject({
  name: dnsLabel,
  displayName: z.string().max(63, { error: 'must be at most 63 characters' }).optional(),
  labels: labels.optional(),
  annotations: annotations.optional(),
});

// ---- v1 ----

const metricSource = z.strictObject({
  metricSourceRef: dnsLabel.optional(),
  type: z.string().optional(),
  spec: z
    .record(z.string(), z.unknown())
    .refine((spec) => Object.keys(spec).length > 0, { error: 'must not be empty' }),
});

const metricSpec = z.strictObject({ metricSource });

const ratioMetric = z
  .strictObject({
    counter: z.boolean().optional(),
    good: metricSpec.optional(),
    bad: metricSpec.optional(),
    total: metricSpec.optional(),
    rawType: z.enum(['success', 'failure']).optional(),
    raw: metricSpec.optional(),
  })
  .superRefine((m, ctx) => {
    exactlyOne(ctx, m, ['total', 'raw']);
    if (m.raw !== undefined) {
      if (m.good !== undefined || m.bad !== undefined)
        issue(ctx, 'openslo/exactly-one', 'raw excludes good and bad');
      if (m.rawType === undefined)
        issue(ctx, 'openslo/required', 'rawType is required with raw (success or failure)', ['rawType']);
    }
    if (m.total !== undefined) exactlyOne(ctx, m, ['good', 'bad']);
  });

export const sliSpecV1 = z
  .strictObject({
    description: description.optional(),
    thresholdMetric: metricSpec.optional(),
    ratioMetric: ratioMetric.optional(),
  })
  .superRefine((s, ctx) => exactlyOne(ctx, s, ['thresholdMetric', 'ratioMetric']));

const inlineIndicator = z.strictObject({ metadata, spec: sliSpecV1 });

const conditionSpec = z.strictObject({
  description: description.optional(),
  severity: z.string().min(1, { error: 'is required' }),
  condition: z.strictObject({
    kind: z.literal('burnrate', {
      error: 'kind must be burnrate (the only AlertCondition kind of OpenSLO v1)',
    }),
    op: operator,
    threshold: z.number(),
    lookbackWindow: duration,
    alertAfter: duration.optional(),
  }),
});

const notificationTargetSpec = z.strictObject({
  description: description.optional(),
  target: z.string().min(1, { error: 'is required' }),
});

/** A reference to a named object, or the object inline (`kind`, `metadata`, `spec`). */
export type RefOrInline<S> =
  | { readonly ref: string; readonly inline?: undefined }
  | {
      readonly ref?: undefined;
      readonly inline: { readonly kind: string; readonly metadata: Metadata; readonly spec: S };
    };

/** A list item that is either `{<refKey>: name}` or an inline object of `kind`; never both. */
function refOrInline<T extends z.ZodType>(refKey: string, kind: string, spec: T) {
  const ref = z.strictObject({ [refKey]: dnsLabel });
  const inline = z.strictObject({ kind: z.literal(kind, { error: `kind must be ${kind}` }), metadata, spec });
  return z.unknown().transform((value, ctx): RefOrInline<z.output<T>> => {
    if (typeof value === 'string') {
      issue(
        ctx,
        'openslo/type',
        `a plain name is the pre-v1 draft form; write {${refKey}: ${value}} or an inline ${kind}`,
      );
      return z.NEVER;
    }
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    const keys = isObject ? Object.keys(value) : [];
    const inlineKeys = keys.filter((k) => k === 'kind' || k === 'metadata' || k === 'spec');
    if (keys.includes(refKey) && inlineKeys.length > 0) {
      issue(ctx, 'openslo/exactly-one', `${refKey} excludes an inline ${kind} (${inlineKeys.join(', ')})`);
      return z.NEVER;
    }
    if (keys.includes(refKey)) {
      const result = ref.safeParse(value, { reportInput: true });
      if (result.success) return { ref: result.data[refKey] as string };
      for (const i of result.error.issues) ctx.addIssue(i as never);
      return z.NEVER;
    }
    const result = inline.safeParse(value, { reportInput: true });
    if (result.success)
      return { inline: result.data as { kind: string; metadata: Metadata; spec: z.output<T> } };
    for (const i of result.error.issues) ctx.addIssue(i as never);
    return z.NEVER;
  });
}

export const alertPolicySpecV1 = z.strictObject({
  description: description.optional(),
  alertWhenNoData: z.boolean().optional(),
  alertWhenBreaching: z.boolean().optional(),
  alertWhenResolved: z.boolean().optional(),
  conditions: list(
    refOrInline('conditionRef', 'AlertCondition', conditionSpec),
    1,
    1,
    'an AlertPolicy has exactly one condition',
  ),
  notificationTargets: list(
    refOrInline('targetRef', 'AlertNotificationTarget', notificationTargetSpec),
    1,
    Number.POSITIVE_INFINITY,
    'an AlertPolicy needs at least one notification target',
  ),
});

const objectiveV1 = z
  .strictObject({
    displayName: z.string().optional(),
    op: operator.optional(),
    value: z.number().optional(),
    target: z
      .number()
      .gte(0, { error: 'must be in [0, 1)' })
      .lt(1, { error: 'must be in [0, 1): write 0.999 for 99.9%, or use targetPercent' })
      .optional(),
    targetPercent: z
      .number()
      .gte(0, { error: 'must be in [0, 100)' })
      .lt(100, { error: 'must be in [0, 100)' })
      .optional(),
    timeSliceTarget: z
      .number()
      .gt(0, { error: 'must be in (0, 1]' })
      .lte(1, { error: 'must be in (0, 1]' })
      .optional(),
    timeSliceWindow: duration.optional(),
    indicator: inlineIndicator.optional(),
    indicatorRef: dnsLabel.optional(),
    compositeWeight: z.number().gt(0, { error: 'must be greater than 0' }).optional(),
  })
  .superRefine((o, ctx) => {
    exactlyOne(ctx, o, ['target', 'targetPercent']);
    exactlyOne(ctx, o, ['indicator', 'indicatorRef'], true);
  });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: (i) => `${JSON.stringify(i.input)} is not an IANA time zone` },
);

const timeWindowV1 = z
  .strictObject({
    duration,
    isRolling: z.boolean().optional(),
    calendar: z
      .strictObject({
        startTime: z.string().regex(DATE_TIME, { error: 'must be a date and time: 2006-01-02 15:04:05' }),
        timeZone,
      })
      .optional(),
  })
  .superRefine((w, ctx) => {
    if (w.isRolling === true && w.calendar !== undefined)
      issue(ctx, 'openslo/time-window', 'calendar cannot be set when isRolling is true');
    if (w.isRolling !== true && w.calendar === undefined)
      issue(ctx, 'openslo/time-window', 'calendar must be set when isRolling is false');
  });

export const sloSpecV1 = z
  .strictObject({
    description: description.optional(),
    service: z.string().min(1, { error: 'is required' }),
    indicator: inlineIndicator.optional(),
    indicatorRef: dnsLabel.optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    timeWindow: list(timeWindowV1, 1, 1, 'exactly one time window is required'),
    objectives: list(objectiveV1, 1, Number.POSITIVE_INFINITY, 'at least one objective is required'),
    alertPolicies: z.array(refOrInline('alertPolicyRef', 'AlertPolicy', alertPolicySpecV1)).optional(),
  })
  .superRefine((s, ctx) => {
    const composite = s.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined);
    const plain = s.indicator !== undefined || s.indicatorRef !== undefined;
    if (composite && plain)
      issue(
        ctx,
        'openslo/exactly-one',
        'indicator or indicatorRef is set both on spec and on spec.objectives[*] (composite); set one level only',
      );
    else if (!composite && !plain)
      issue(ctx, 'openslo/exactly-one', 'one of indicator, indicatorRef must be set, none was given');
    else if (plain) exactlyOne(ctx, s, ['indicator', 'indicatorRef']);
    const inlineThreshold = s.indicator?.spec.thresholdMetric !== undefined;
    for (const [i, o] of s.objectives.entries()) {
      if (inlineThreshold && o.op === undefined)
        issue(ctx, 'openslo/required', 'op is required with a thresholdMetric', ['objectives', i, 'op']);
      if (inlineThreshold && o.value === undefined)
        issue(ctx, 'openslo/required', 'value is required with a thresholdMetric', [
          'objectives',
          i,
          'value',
        ]);
      if (s.budgetingMethod === 'Timeslices' && o.timeSliceTarget === undefined)
        issue(ctx, 'openslo/required', 'timeSliceTarget is required with budgetingMethod Timeslices', [
          'objectives',
          i,
          'timeSliceTarget',
        ]);
      if (s.budgetingMethod !== 'Occurrences' && o.timeSliceWindow === undefined)
        issue(
          ctx,
          'openslo/required',
          `timeSliceWindow is required with budgetingMethod ${s.budgetingMethod}`,
          ['objectives', i, 'timeSliceWindow'],
        );
    }
  });

export const serviceSpec = z.strictObject({ description: description.optional() });

export const dataSourceSpecV1 = z.strictObject({
  description: description.optional(),
  type: z.string().min(1, { error: 'is required' }),
  connectionDetails: z.unknown().refine((v) => v !== undefined && v !== null, { error: 'is required' }),
});

export const V1_SPECS = {
  Service: serviceSpec,
  SLO: sloSpecV1,
  SLI: sliSpecV1,
  DataSource: dataSourceSpecV1,
  AlertPolicy: alertPolicySpecV1,
  AlertCondition: conditionSpec,
  AlertNotificationTarget: notificationTargetSpec,
} as const;

// ---- v1alpha (the dialect Sloth reads) ----

const metadataV1alpha = z.strictObject({
  name: dnsLabel,
  displayName: z.string().max(63, { error: 'must be at most 63 characters' }).optional(),
});

const alphaName = z.string().regex(/^[a-zA-Z]+$/, { error: 'must be letters only (prometheus, promql)' });
const metricSourceV1alpha = z.strictObject({
  source: alphaName,
  queryType: alphaName,
  query: z.string().min(1),
});

const objectiveV1alpha = z
  .strictObject({
    displayName: description.optional(),
    value: z.number().optional(),
    ratioMetrics: z
      .strictObject({
        good: metricSourceV1alpha,
        total: metricSourceV1alpha,
        incremental: z.boolean().optional(),
      })
      .optional(),
    target: z
      .number()
      .gte(0, { error: 'must be in [0, 1)' })
      .lt(1, { error: 'must be in [0, 1): write 0.999 for 99.9%' }),
    timeSliceTarget: z
      .number()
      .gte(0, { error: 'must be in [0, 1]' })
      .lte(1, { error: 'must be in [0, 1]' })
      .optional(),
    op: operator.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.ratioMetrics === undefined && o.op === undefined)
      issue(ctx, 'openslo/required', 'op is required with a thresholdMetric indicator', ['op']);
    if (o.ratioMetrics === undefined && o.value === undefined)
      issue(ctx, 'openslo/required', 'value is required with a thresholdMetric indicator', ['value']);
    if (o.ratioMetrics !== undefined && o.op !== undefined)
      issue(ctx, 'openslo/forbidden', 'op is forbidden with ratioMetrics', ['op']);
  });

const timeWindowV1alpha = z
  .strictObject({
    unit: z.enum(['Second', 'Day', 'Week', 'Month', 'Quarter']),
    count: z.number().int({ error: 'must be a whole number' }).gt(0, { error: 'must be greater than 0' }),
    isRolling: z.boolean().optional(),
    calendar: z
      .strictObject({
        startTime: z.string().regex(DATE_TIME, { error: 'must be a date and time: 2006-01-02 15:04:05' }),
        timeZone,
      })
      .optional(),
  })
  .superRefine((w, ctx) => {
    if (w.isRolling === true && w.calendar !== undefined)
      issue(ctx, 'openslo/time-window', 'calendar cannot be set when isRolling is true');
    if (w.isRolling !== true && w.calendar === undefined)
      issue(ctx, 'openslo/time-window', 'calendar must be set when isRolling is false');
  });

export const sloSpecV1alpha = z
  .strictObject({
    timeWindows: list(timeWindowV1alpha, 1, 1, 'exactly one time window is required'),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices']),
    description: description.optional(),
    indicator: z.strictObject({ thresholdMetric: metricSourceV1alpha }).optional(),
    service: z.string().min(1, { error: 'is required' }),
    objectives: list(objectiveV1alpha, 1, Number.POSITIVE_INFINITY, 'at least one objective is required'),
  })
  .superRefine((s, ctx) => {
    const ratio = s.objectives.some((o) => o.ratioMetrics !== undefined);
    if (ratio && s.indicator !== undefined)
      issue(ctx, 'openslo/exactly-one', 'only one of indicator and objectives[*].ratioMetrics can be set');
    if (!ratio && s.indicator === undefined)
      issue(ctx, 'openslo/exactly-one', 'one of indicator or objectives[*].ratioMetrics must be set');
    for (const [i, o] of s.objectives.entries())
      if (s.budgetingMethod === 'Timeslices' && o.timeSliceTarget === undefined)
        issue(ctx, 'openslo/required', 'timeSliceTarget is required with budgetingMethod Timeslices', [
          'objectives',
          i,
          'timeSliceTarget',
        ]);
  });

export const V1ALPHA_SPECS = { Service: serviceSpec, SLO: sloSpecV1alpha } as const;
export const METADATA = { v1: metadata, v1alpha: metadataV1alpha } as const;

export type Metadata = z.output<typeof metadata>;
export type SliSpecV1 = z.output<typeof sliSpecV1>;
export type SloSpecV1 = z.output<typeof sloSpecV1>;
export type ObjectiveV1 = z.output<typeof objectiveV1>;
export type MetricSpecV1 = z.output<typeof metricSpec>;
export type AlertPolicySpecV1 = z.output<typeof alertPolicySpecV1>;
export type AlertConditionSpecV1 = z.output<typeof conditionSpec>;
export type NotificationTargetSpecV1 = z.output<typeof notificationTargetSpec>;
export type DataSourceSpecV1 = z.output<typeof dataSourceSpecV1>;
export type ServiceSpecOpenSlo = z.output<typeof serviceSpec>;
export type SloSpecV1alpha = z.output<typeof sloSpecV1alpha>;
export type MetricSourceV1alpha = z.output<typeof metricSourceV1alpha>;
