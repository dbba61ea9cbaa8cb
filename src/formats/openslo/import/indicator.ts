/** OpenSLO indicators (SLIs) as read, before they become one of the model's SLI kinds. */

import type { MetricContract } from '../../../model/metrics.ts';
import type { Sli } from '../../../model/slo.ts';
import type { Source } from './source.ts';

/** An SLI as OpenSLO states it, data source already checked to be Prometheus. */
export type Indicator =
  | {
      readonly kind: 'ratio';
      /** Whether the queries return cumulative counters (v1 `counter`, v1alpha `incremental`). */
      readonly counter: boolean;
      readonly good?: Source;
      readonly bad?: Source;
      readonly total: Source;
    }
  | { readonly kind: 'raw'; readonly rawType: 'success' | 'failure'; readonly raw: Source }
  | { readonly kind: 'threshold'; readonly metric: Source };

export type Operator = 'gt' | 'lt' | 'gte' | 'lte';

/** What decides how an indicator becomes an SLI, besides the indicator. */
export interface SliContext {
  readonly budgeting: 'Occurrences' | 'Timeslices' | 'RatioTimeslices';
  readonly op?: Operator;
  readonly value?: number;
  readonly timeSliceTarget?: number;
  /** Seconds. */
  readonly timeSliceWindow?: number;
  readonly groupBy: readonly string[];
  /** Rule evaluation interval, seconds: the step of per-evaluation subqueries. */
  readonly evaluationInterval: number;
  /** The SLO's base window, seconds. */
  readonly baseWindow: number;
  /** Set when the service declares its metric contract. */
  readonly contract?: MetricContract;
  /** The queries are the model's raw bad/total, verbatim (SLOs exported from a raw SLI). */
  readonly verbatim: boolean;
}

/** A refusal, with the path it concerns. */
export interface SliProblem {
  readonly code: string;
  readonly source?: Source;
  readonly message: string;
  readonly hint?: string;
}

export type SliResult = { readonly sli: Sli } | { readonly problems: SliProblem[] };
