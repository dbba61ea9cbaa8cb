/** OpenSLO duration shorthand, read by the importer and written by the exporter. */

/** OpenSLO duration shorthand: a positive integer and one of m h d w M Q Y. */
export const DURATION_SHORTHAND = /^(\d+)([mhdwMQY])$/;

const UNIT_SECONDS: Record<string, number> = {
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
  M: 30 * 86_400,
  Q: 90 * 86_400,
  Y: 365 * 86_400,
};

/** OpenSLO duration text of whole seconds, when m/h/d can spell it. */
export function shorthand(seconds: number): string | undefined {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const)
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  return undefined;
}

/** Duration shorthand to seconds: m h d w, M = 30d, Q = 90d, Y = 365d; 0 when it is not shorthand. */
export function shorthandSeconds(text: string): number {
  const match = DURATION_SHORTHAND.exec(text);
  return match ? Number(match[1]) * (UNIT_SECONDS[match[2] as string] ?? 0) : 0;
}
