import type { AlertSeverity, Category, DashboardKind } from '../conventions.ts';
import type { AlertExample, AlertRunbook, FiringExample } from './alert.ts';
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
  /**
   * This service's catalog alerts (the same objects as in `Project.alerts`), so whoever compiles
   * a service's rules gets them without looking them up. @default []
   */
  readonly alerts?: readonly ResolvedAlert[];
  /** Its dashboards/ definition, when it has one (the SLO dashboards need none). */
  readonly dashboards?: ResolvedDashboards;
}

/** A validated catalog alert with defaults applied and its expression rendered per environment. */
export interface ResolvedAlert {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly category: Category;
  /** Service name. */
  readonly service: string;
  /** `for`, seconds. */
  readonly forSeconds: number;
  /** Evaluation interval, seconds; undefined: the service's. */
  readonly intervalSeconds: number | undefined;
  readonly summary: string;
  readonly description: string;
  /** PromQL by environment name. */
  readonly exprs: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
  /** The `alert_family` label. */
  readonly family: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly dashboard: DashboardKind;
  /** Panel key on that dashboard (see AlertSpec.panel). */
  readonly panel?: string;
  readonly runbook: Required<Omit<AlertRunbook, 'escalation'>> & { readonly escalation: string | undefined };
  readonly examples: { readonly firing: FiringExample; readonly healthy?: AlertExample };
  /** Definition file, relative to the project root. */
  readonly file: string;
}

/** Everything the compilers read. */
export interface Project {
  readonly services: readonly ResolvedService[];
  /** The alert catalog (alerts/), ordered by service, category, severity and name. @default [] */
  readonly alerts?: readonly ResolvedAlert[];
  /** File defining the alert routing, by environment name (for the generated file's header). @default {} */
  readonly routingFiles?: Readonly<Record<string, string>>;
}
