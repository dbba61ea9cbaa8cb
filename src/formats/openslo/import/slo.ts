/** What the v1 and v1alpha SLO conversions share: the converted SLO, its windows, its text. */
import { DEFAULT_EVALUATION_INTERVAL, DEFAULT_SCRAPE_INTERVAL } from '../../../conventions.ts';
import type { Slo } from '../../../model/slo.ts';
import { parseDurationMs, rational, rationalOf, sub } from '../../../model/units.ts';
import { baseWindow, burnWindowPairs, type SampleKind } from '../../../model/windows.ts';
import type { ServiceContext } from './annotations.ts';
import type { FileReport, Path, SloOrigin } from './diagnostics.ts';
import type { SliProblem } from './indicator.ts';
import type { OpenSloObject } from './objects.ts';

/** A model SLO and the OpenSLO fields it came from. */
export interface ConvertedSlo {
  readonly slo: Slo;
  readonly origin: SloOrigin;
}

/** Windows of an SLO period in a service: the derived pairs and the base window. */
export function windowsOf(
  periodSeconds: number,
  service: ServiceContext,
  objective?: number,
  samples: SampleKind = 'requests',
) {
  const seconds = (d: string) => (parseDurationMs(d) ?? 30_000) / 1000;
  const scrape = seconds(service.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL);
  const evaluation = seconds(service.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL);
  // The base window depends on the period only; long windows also on the objective and the SLI's
  // sample kind (see src/model/windows.ts), so alert conditions are matched per objective.
  const pairs = burnWindowPairs({
    period: periodSeconds,
    scrapeInterval: scrape,
    evaluationInterval: evaluation,
    errorBudget: objective === undefined ? rational(1n, 1000n) : sub(rational(1n), rationalOf(objective)),
    samples,
  });
  return { pairs, base: baseWindow(pairs), evaluation };
}

/** Model SLO ids: the SLO's name, or `<name>-<i>` per objective when it has several. */
export const sloId = (object: OpenSloObject, objectives: number, k: number): string =>
  objectives === 1 ? object.metadata.name : `${object.metadata.name}-${k}`;

export const describeSlo = (object: Extract<OpenSloObject, { kind: 'SLO' }>, objective?: string): string =>
  object.spec.description?.trim() ||
  object.metadata.displayName?.trim() ||
  objective?.trim() ||
  `SLO ${object.metadata.name} of service ${object.spec.service}.`;

/** Reports why an indicator gave no SLI, at its query or else at the objective. */
export function reportSliProblems(
  problems: readonly SliProblem[],
  fallback: { file: string; path: Path },
  report: FileReport,
) {
  for (const p of problems)
    report(p.source?.file ?? fallback.file, p.source?.path ?? fallback.path, p.code, p.message, p.hint);
}
