/**
 * The zod pieces OpenSLO v1 and v1alpha share, as strict as the OpenSLO go-sdk: names are DNS-1123
 * labels, "exactly one of" rules hold, and custom issues carry their diagnostic code in
 * `params.code` (see issueDiagnostics).
 */
import { z } from 'zod';
import { DURATION_SHORTHAND } from '../durations.ts';
import type { Path } from './diagnostics.ts';

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** The go-sdk limit on description fields, characters. */
const MAX_DESCRIPTION = 1050;

type Ctx = z.RefinementCtx;

export function issue(ctx: Ctx, code: string, message: string, path: Path = []): void {
  ctx.addIssue({ code: 'custom', message, path, params: { code } });
}

/** Exactly one (or, with `optional`, at most one) of the named fields is set. */
export function exactlyOne(
  ctx: Ctx,
  value: Record<string, unknown>,
  fields: readonly string[],
  optional = false,
  path: Path = [],
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
export function list<T extends z.ZodType>(item: T, min: number, max: number, message: string) {
  return z.array(item).refine((items) => items.length >= min && items.length <= max, {
    error: message,
    when: (payload) => Array.isArray(payload.value),
    params: { code: 'openslo/length' },
  });
}

export const dnsLabel = z
  .string()
  .max(63, { error: 'must be at most 63 characters (DNS-1123 label)' })
  .regex(DNS_LABEL, {
    error: (i) =>
      `${JSON.stringify(i.input)} is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
  });

export const displayName = z.string().max(63, { error: 'must be at most 63 characters' });

export const description = z
  .string()
  .max(MAX_DESCRIPTION, { error: `must be at most ${MAX_DESCRIPTION} characters` });

export const duration = z.string().superRefine((value, ctx) => {
  const match = DURATION_SHORTHAND.exec(value);
  if (!match)
    issue(
      ctx,
      'openslo/duration',
      `${JSON.stringify(value)} is not an OpenSLO duration: a whole number and one of m h d w M Q Y`,
    );
  else if (Number(match[1]) === 0) issue(ctx, 'openslo/duration', 'a duration must be positive');
});

export const operator = z.enum(['gt', 'lt', 'gte', 'lte']);

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

export const calendar = z.strictObject({
  startTime: z.string().regex(DATE_TIME, { error: 'must be a date and time: 2006-01-02 15:04:05' }),
  timeZone,
});

/** A time window is rolling or has a calendar, never both. */
export function rollingOrCalendar(
  w: { isRolling?: boolean | undefined; calendar?: unknown },
  ctx: Ctx,
): void {
  if (w.isRolling === true && w.calendar !== undefined)
    issue(ctx, 'openslo/time-window', 'calendar cannot be set when isRolling is true');
  if (w.isRolling !== true && w.calendar === undefined)
    issue(ctx, 'openslo/time-window', 'calendar must be set when isRolling is false');
}

export const serviceSpec = z.strictObject({ description: description.optional() });

export type ServiceSpecOpenSlo = z.output<typeof serviceSpec>;
