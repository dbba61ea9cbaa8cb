/**
 * Units used across the model: durations (Prometheus syntax) and exact decimal ratios.
 *
 * Objectives and thresholds are kept as exact rationals (bigint numerator/denominator) so that
 * 14.4 * (1 - 0.999) prints as 0.0144, never 0.014400000000000012.
 */

/** A Prometheus duration with a single unit: `30s`, `5m`, `1h`, `30d`, `1w`. */
export type Duration = `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'y'}`;

const UNIT_MS: Readonly<Record<string, bigint>> = {
  ms: 1n,
  s: 1000n,
  m: 60_000n,
  h: 3_600_000n,
  d: 86_400_000n,
  w: 604_800_000n,
  y: 31_536_000_000n,
};

/** Largest first, so formatting picks the coarsest unit that divides the value exactly. */
const UNITS_DESC = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/**
 * Prometheus's duration grammar (prometheus/common model.ParseDuration): units in descending order,
 * each at most once, so `1h30m` is one and `30m1h` or `1d30d` are not.
 */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const GRAMMAR_UNITS = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;
/** Prometheus keeps durations as int64 nanoseconds: about 292 years. */
export const MAX_DURATION_MS = 9_223_372_036_854n;

/** Milliseconds of text in the duration grammar (0 included), or undefined when it is not one. */
function grammarMs(text: string): bigint | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const match = DURATION_RE.exec(text);
  if (!match) return undefined;
  let total = 0n;
  for (const [i, unit] of GRAMMAR_UNITS.entries()) {
    const digits = match[i + 1];
    if (digits !== undefined) total += BigInt(digits) * (UNIT_MS[unit] ?? 0n);
  }
  return total;
}

/** What is wrong with a duration that must be positive, or undefined when it is fine. */
export function durationProblem(text: string): 'malformed' | 'zero' | 'too-long' | undefined {
  const ms = grammarMs(text);
  if (ms === undefined) return 'malformed';
  if (ms === 0n) return 'zero';
  if (ms > MAX_DURATION_MS) return 'too-long';
  return undefined;
}

/**
 * Milliseconds of a positive Prometheus duration (`1h30m` included), or undefined when it is not
 * one, is zero or is longer than Prometheus accepts.
 */
export function parseDurationMs(text: string): number | undefined {
  const ms = grammarMs(text);
  return ms === undefined || ms === 0n || ms > MAX_DURATION_MS ? undefined : Number(ms);
}

/** Seconds of a valid duration; throws on an invalid one (validated input only). */
export function durationSeconds(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return ms / 1000;
}

/**
 * Prometheus duration text for a whole number of milliseconds, in the coarsest single unit that
 * divides it exactly (5400s prints as `90m`, not `1h30m`, which older tooling misreads).
 */
export function formatDurationMs(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`not a whole millisecond count: ${ms}`);
  if (ms === 0) return '0s';
  const value = BigInt(ms);
  for (const unit of UNITS_DESC) {
    // Years and weeks read badly for SLO windows (`4w` is fine, `1y` for 365d is surprising).
    if (unit === 'y') continue;
    const size = UNIT_MS[unit] ?? 1n;
    if (value % size === 0n) return `${value / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Duration text for whole seconds. */
export function formatSeconds(seconds: number): string {
  return formatDurationMs(Math.round(seconds * 1000));
}

/**
 * An SLO period as people write it: whole days in days (`28d`, not `4w`), else the shortest
 * duration text.
 */
export const formatPeriod = (seconds: number): string =>
  seconds % 86_400 === 0 ? `${seconds / 86_400}d` : formatSeconds(seconds);

/** Human reading of seconds for tables: `2m57s`, `1h`, `43m12s`. */
export function humanizeSeconds(seconds: number): string {
  let rest = Math.round(seconds);
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** An exact non-negative-or-negative rational number. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new Error('division by zero');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  return { num: (sign * num) / g, den: (sign * den) / g };
}

/** Exact rational of a JS number as written in its shortest decimal form (0.999 -> 999/1000). */
export function rationalOf(value: number): Rational {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const text = value.toString();
  if (/e/i.test(text)) {
    const [mantissa = '0', exponent = '0'] = text.toLowerCase().split('e');
    const base = rationalOf(Number(mantissa));
    const exp = Number(exponent);
    return exp >= 0 ? mul(base, rational(10n ** BigInt(exp))) : div(base, rational(10n ** BigInt(-exp)));
  }
  const [whole = '0', fraction = ''] = text.split('.');
  const den = 10n ** BigInt(fraction.length);
  const negative = whole.startsWith('-');
  const digits = BigInt(`${whole.replace('-', '')}${fraction}` || '0');
  return rational(negative ? -digits : digits, den);
}

export const mul = (a: Rational, b: Rational): Rational => rational(a.num * b.num, a.den * b.den);
export const div = (a: Rational, b: Rational): Rational => rational(a.num * b.den, a.den * b.num);
export const add = (a: Rational, b: Rational): Rational =>
  rational(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Rational, b: Rational): Rational =>
  rational(a.num * b.den - b.num * a.den, a.den * b.den);
export const compare = (a: Rational, b: Rational): number => {
  const diff = a.num * b.den - b.num * a.den;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
};
export const toNumber = (r: Rational): number => Number(r.num) / Number(r.den);

/**
 * Decimal text of a rational: exact when the expansion terminates, otherwise rounded to
 * `maxDigits` significant fraction digits with trailing zeros removed. Never exponent notation.
 */
export function formatRational(r: Rational, maxDigits = 12): string {
  const negative = r.num < 0n;
  const num = negative ? -r.num : r.num;
  const whole = num / r.den;
  let rest = num % r.den;
  let fraction = '';
  while (rest !== 0n && fraction.length < maxDigits) {
    rest *= 10n;
    fraction += (rest / r.den).toString();
    rest %= r.den;
  }
  fraction = fraction.replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && text !== '0' ? `-${text}` : text;
}

/** Shortest decimal text of a JS number, exact as written (0.1 + 0.2 style noise is the caller's). */
export const formatNumber = (value: number): string => formatRational(rationalOf(value));

/** Percent text of a ratio: 0.999 -> `99.9%`. */
export const formatPercent = (r: Rational): string => `${formatRational(mul(r, rational(100n)), 6)}%`;
