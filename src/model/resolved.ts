import type { ResolvedDashboards } from './dashboards.ts';
import type { MetricContract } from './metrics.ts';
import type { Environment } from './service.ts';
import type { Sli } from './slo.ts';
import type { Rational } from './units.ts';
import type { WindowPair } from './windows.ts';

/** A validated SLO with every default applied and every unit resolved. */
export interface ResolvedSlo {
  readonly id: string;
  readonly description: string;
  readonly objective: Rational;
  /** 1 - objective. */
  readonly errorBudget: Rational;
  /** Period in seconds. */
  readonly period: number;
  readonly sli: Sli;
  readonly groupBy: readonly string[];
  readonly alerting: {
    readonly page: boolean;
    readonly ticket: boolean;
    readonly noData: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly runbookUrl: string | undefined;
  };
  /** Burn window pairs derived from the period and the service's intervals. */
  readonly windows: readonly WindowPair[];
  /** The shortest window: the only one raw series are read over. */
  readonly baseWindow: number;
}

/** A validated service, tied to the file that defined it. */
export interface ResolvedService {
  readonly name: string;
  readonly team: string;
  readonly description: string;
  readonly environments: readonly Environment[];
  readonly metrics: MetricContract;
  readonly slos: readonly ResolvedSlo[];
  /** Seconds. */
  readonly scrapeInterval: number;
  /** Seconds. */
  readonly evaluationInterval: number;
  /** Definition file, relative to the project root. */
  readonly file: string;
  /** Its dashboards/ definition, when it has one (the SLO dashboards need none). */
  readonly dashboards?: ResolvedDashboards;
}

/** Everything the compilers read. */
export interface Project {
  readonly services: readonly ResolvedService[];
}
