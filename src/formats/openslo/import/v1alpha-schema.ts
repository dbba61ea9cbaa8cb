/**
 * Strict shapes of OpenSLO v1alpha objects (pkg/openslo/v1alpha of the go-sdk), the dialect Sloth
 * reads: a Service, and SLOs whose objectives carry their own ratio queries.
 */
import { z } from 'zod';
import {
  calendar,
  description,
  displayName,
  dnsLabel,
  issue,
  list,
  operator,
  rollingOrCalendar,
  serviceSpec,
} from './schema.ts';

export const metadataV1alpha = z.strictObject({
  name: dnsLabel,
  displayName: displayName.optional(),
});

const alphaName = z.string().regex(/^[a-zA-Z]+$/, { error: 'must be letters only (prometheus, promql)' });
const metricSourceV1alpha = z.strictObject({
  source: alphaName,
  // Free text in v1alpha (`promql`, `query`, ...): the source decides how the query is read.
  queryType: z.string().min(1),
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
    calendar: calendar.optional(),
  })
  // Sloth, the main v1alpha producer, reads a window without isRolling and calendar as rolling.
  .superRefine((w, ctx) =>
    rollingOrCalendar({ ...w, isRolling: w.isRolling ?? w.calendar === undefined }, ctx),
  );

/** Sloth's default when an SLO names no time window: a rolling 30 days. */
export const DEFAULT_TIME_WINDOW_V1ALPHA = { unit: 'Day', count: 30, isRolling: true } as const;

export const sloSpecV1alpha = z
  .strictObject({
    timeWindows: list(timeWindowV1alpha, 1, 1, 'exactly one time window is required').default([
      DEFAULT_TIME_WINDOW_V1ALPHA,
    ]),
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

export type SloSpecV1alpha = z.output<typeof sloSpecV1alpha>;
export type MetricSourceV1alpha = z.output<typeof metricSourceV1alpha>;
