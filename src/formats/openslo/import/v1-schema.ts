/**
 * Strict shapes of OpenSLO v1 objects, as strict as the OpenSLO go-sdk (pkg/openslo/v1): unknown
 * fields are refused (the go-sdk decodes with DisallowUnknownFields) and the per-budgeting-method
 * requirements hold.
 */
import { z } from 'zod';
import {
  calendar,
  description,
  displayName,
  dnsLabel,
  duration,
  exactlyOne,
  issue,
  list,
  operator,
  rollingOrCalendar,
  serviceSpec,
} from './schema.ts';

const LABEL_KEY = /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const ANNOTATION_KEY_LENGTH = /^(.{0,253}\/)?.{0,63}$/;
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;

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

export const metadataV1 = z.strictObject({
  name: dnsLabel,
  displayName: displayName.optional(),
  labels: labels.optional(),
  annotations: annotations.optional(),
});

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

const inlineIndicator = z.strictObject({ metadata: metadataV1, spec: sliSpecV1 });

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
  const inline = z.strictObject({
    kind: z.literal(kind, { error: `kind must be ${kind}` }),
    metadata: metadataV1,
    spec,
  });
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

const timeWindowV1 = z
  .strictObject({
    duration,
    isRolling: z.boolean().optional(),
    calendar: calendar.optional(),
  })
  .superRefine(rollingOrCalendar);

export const sloSpecV1 = z
  .strictObject({
    description: description.optional(),
    service: z.string().min(1, { error: 'is required' }),
    indicator: inlineIndicator.optional(),
    indicatorRef: dnsLabel.optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    timeWindow: list(timeWindowV1, 1, 1, 'exactly one time window is required'),
    objectives: list(objectiveV1, 1, Number.POSITIVE_INFINITY, 'at least one objective is required'),
    // `alertPolicies:` with no value (the spec repository's own examples) is an empty list.
    alertPolicies: z.preprocess(
      (v) => (v === null ? undefined : v),
      z.array(refOrInline('alertPolicyRef', 'AlertPolicy', alertPolicySpecV1)).optional(),
    ),
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

export type Metadata = z.output<typeof metadataV1>;
export type SliSpecV1 = z.output<typeof sliSpecV1>;
export type SloSpecV1 = z.output<typeof sloSpecV1>;
export type ObjectiveV1 = z.output<typeof objectiveV1>;
export type MetricSpecV1 = z.output<typeof metricSpec>;
export type AlertPolicySpecV1 = z.output<typeof alertPolicySpecV1>;
export type AlertConditionSpecV1 = z.output<typeof conditionSpec>;
export type NotificationTargetSpecV1 = z.output<typeof notificationTargetSpec>;
export type DataSourceSpecV1 = z.output<typeof dataSourceSpecV1>;
