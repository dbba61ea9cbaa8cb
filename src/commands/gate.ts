/**
 * `obsgen gate`: decides from a real Prometheus whether a new version may keep its traffic. Reads
 * each SLO's SLI over a short window from the raw series (recorded series carry no version
 * label), for the new version's series when a version label is given, and compares the burn rate
 * with the fastest page pair's factor and, for latency SLIs, the new version's p95 with the
 * baseline's.
 */
import {
  GATE_MAX_DEGRADATION,
  GATE_MIN_EVENTS,
  GATE_WINDOW_SECONDS,
  gateExprs,
  maxBurnRate,
  p95Expr,
  requiredEvents,
  type VersionSelector,
} from '../compile/prometheus/gate.ts';
import type { Project, ResolvedService, ResolvedSlo } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { formatSeconds, toNumber } from '../model/units.ts';

export type { VersionSelector } from '../compile/prometheus/gate.ts';

export interface GateOptions {
  /** Base URL of the Prometheus HTTP API (`http://127.0.0.1:9090`). */
  readonly prometheus: string;
  readonly environment: string;
  /** Only this service. @default every service with the environment */
  readonly service?: string;
  /** Only these SLOs (by id). @default every SLO */
  readonly slos?: readonly string[];
  /** Window the SLIs are read over, seconds. @default 120 */
  readonly windowSeconds?: number;
  /** The new version's series; undefined: every series of the environment. */
  readonly version?: VersionSelector;
  /** The old version's series, for the latency comparison; undefined: no comparison. */
  readonly baseline?: VersionSelector;
  /** Largest accepted p95 increase over the baseline, as a ratio (0.2 = 20% slower). @default 0.2 */
  readonly maxDegradation?: number;
  /** Fewest requests in the window to decide on (request SLIs; see `requiredEvents`). @default 100 */
  readonly minEvents?: number;
  /** Evaluation time, unix seconds. @default now */
  readonly at?: number;
}

export type Outcome = 'pass' | 'fail' | 'undecided';

/** The numbers behind one SLO's decision. */
export interface SloDecision {
  readonly service: string;
  readonly slo: string;
  readonly outcome: Outcome;
  /** Why, in one sentence. */
  readonly reason: string;
  /** Events in the window (requests, probe samples, evaluation steps). */
  readonly events: number;
  /** Bad events / events; undefined without traffic. */
  readonly errorRatio: number | undefined;
  /** errorRatio / error budget. */
  readonly burnRate: number | undefined;
  /** Burn rate above which the gate fails: the fastest page pair's factor. */
  readonly maxBurnRate: number;
  /** p95 of the new version and the baseline, seconds (latency SLIs with a baseline). */
  readonly p95?: number;
  readonly baselineP95?: number;
}

export interface GateResult {
  readonly outcome: Outcome;
  /** The SLO that decided: the first failing, else the first undecided, else the highest burn. */
  readonly deciding: SloDecision | undefined;
  readonly decisions: readonly SloDecision[];
  readonly windowSeconds: number;
  readonly at: number;
}

export class GateUsageError extends Error {}

/** One instant query through the HTTP API: the first sample's value, undefined when empty or NaN. */
async function queryValue(url: string, expr: string, at: number): Promise<number | undefined> {
  const params = new URLSearchParams({ query: expr, time: String(at) });
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, '')}/api/v1/query?${params}`);
  } catch (error) {
    throw new GateUsageError(`cannot reach Prometheus at ${url}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    status?: string;
    error?: string;
    data?: { result?: { value: [number, string] }[] };
  };
  if (body.status !== 'success') {
    throw new GateUsageError(`Prometheus at ${url} refused ${expr}: ${body.error ?? response.statusText}`);
  }
  const raw = body.data?.result?.[0]?.value[1];
  const value = raw === undefined ? undefined : Number(raw);
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;

async function decideSlo(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  options: GateOptions,
  windowSeconds: number,
  at: number,
): Promise<SloDecision> {
  const exprs = gateExprs(svc, slo, env, windowSeconds, options.version);
  const scale = exprs.perSecond ? windowSeconds : 1;
  const total = ((await queryValue(options.prometheus, exprs.total, at)) ?? 0) * scale;
  const bad = ((await queryValue(options.prometheus, exprs.bad, at)) ?? 0) * scale;
  const limit = maxBurnRate(slo.windows);
  const needed = requiredEvents(slo, options.minEvents ?? GATE_MIN_EVENTS);
  const base = { service: svc.name, slo: slo.id, events: Math.round(total), maxBurnRate: limit };
  if (total < needed) {
    return {
      ...base,
      outcome: 'undecided',
      reason: `${Math.round(total)} events in ${formatSeconds(windowSeconds)}, fewer than the ${needed} needed to decide`,
      errorRatio: undefined,
      burnRate: undefined,
    };
  }
  const errorRatio = Math.min(1, Math.max(0, bad / total));
  const burnRate = errorRatio / toNumber(slo.errorBudget);
  const measured = { ...base, errorRatio, burnRate };
  if (burnRate > limit) {
    return {
      ...measured,
      outcome: 'fail',
      reason: `burn rate ${burnRate.toFixed(2)} (error ratio ${percent(errorRatio)}) is above the page factor ${limit}`,
    };
  }
  const maxDegradation = options.maxDegradation ?? GATE_MAX_DEGRADATION;
  const newExpr = p95Expr(slo, env, windowSeconds, options.version);
  if (newExpr && options.baseline) {
    const oldExpr = p95Expr(slo, env, windowSeconds, options.baseline) as string;
    const p95 = await queryValue(options.prometheus, newExpr, at);
    const baselineP95 = await queryValue(options.prometheus, oldExpr, at);
    if (p95 === undefined || baselineP95 === undefined || baselineP95 <= 0) {
      return {
        ...measured,
        outcome: 'undecided',
        reason: `no p95 for ${p95 === undefined ? 'the new version' : 'the baseline'} in ${formatSeconds(windowSeconds)}`,
        ...(p95 === undefined ? {} : { p95 }),
        ...(baselineP95 === undefined ? {} : { baselineP95 }),
      };
    }
    const slower = p95 / baselineP95 - 1;
    const latency = { p95, baselineP95 };
    if (slower > maxDegradation) {
      return {
        ...measured,
        ...latency,
        outcome: 'fail',
        reason: `p95 ${p95.toFixed(3)}s is ${percent(slower)} above the baseline's ${baselineP95.toFixed(3)}s (at most ${percent(maxDegradation)})`,
      };
    }
    return {
      ...measured,
      ...latency,
      outcome: 'pass',
      reason: `burn rate ${burnRate.toFixed(2)} <= ${limit}; p95 ${p95.toFixed(3)}s vs baseline ${baselineP95.toFixed(3)}s`,
    };
  }
  return { ...measured, outcome: 'pass', reason: `burn rate ${burnRate.toFixed(2)} <= ${limit}` };
}

/** The services and SLOs the gate reads; a usage error when none match. */
function selectedSlos(project: Project, options: GateOptions): [ResolvedService, ResolvedSlo, Environment][] {
  const services = project.services.filter(
    (s) => options.service === undefined || s.name === options.service,
  );
  if (services.length === 0) throw new GateUsageError(`no service named ${JSON.stringify(options.service)}`);
  const picked: [ResolvedService, ResolvedSlo, Environment][] = [];
  for (const svc of services) {
    const env = svc.environments.find((e) => e.name === options.environment);
    if (!env) continue;
    for (const slo of svc.slos) {
      if (options.slos === undefined || options.slos.includes(slo.id)) picked.push([svc, slo, env]);
    }
  }
  if (picked.length === 0) {
    throw new GateUsageError(
      `no SLO in environment ${JSON.stringify(options.environment)}${options.slos ? ` with id ${options.slos.join(', ')}` : ''}`,
    );
  }
  return picked;
}

/** The overall outcome: any failure fails, else any undecided SLO leaves it undecided. */
export function combine(decisions: readonly SloDecision[]): {
  outcome: Outcome;
  deciding: SloDecision | undefined;
} {
  const failed = decisions.find((d) => d.outcome === 'fail');
  if (failed) return { outcome: 'fail', deciding: failed };
  const undecided = decisions.find((d) => d.outcome === 'undecided');
  if (undecided) return { outcome: 'undecided', deciding: undecided };
  const highest = [...decisions].sort((a, b) => (b.burnRate ?? 0) - (a.burnRate ?? 0))[0];
  return { outcome: 'pass', deciding: highest };
}

/** One evaluation of every selected SLO at `options.at` (default now). */
export async function runGate(project: Project, options: GateOptions): Promise<GateResult> {
  const windowSeconds = options.windowSeconds ?? GATE_WINDOW_SECONDS;
  const at = options.at ?? Date.now() / 1000;
  const decisions: SloDecision[] = [];
  for (const [svc, slo, env] of selectedSlos(project, options)) {
    decisions.push(await decideSlo(svc, slo, env, options, windowSeconds, at));
  }
  return { ...combine(decisions), decisions, windowSeconds, at };
}

export interface WatchOptions {
  /** Seconds between evaluations. @default 10 */
  readonly intervalSeconds?: number;
  /** Called after each evaluation (progress output). */
  readonly onResult?: (result: GateResult) => void;
  /** Waits `ms`; replaceable in tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Evaluates every `intervalSeconds` until the window has passed since the start, stopping at the
 * first failure; the last evaluation decides.
 */
export async function watchGate(
  project: Project,
  options: GateOptions,
  watch: WatchOptions = {},
): Promise<GateResult> {
  const windowSeconds = options.windowSeconds ?? GATE_WINDOW_SECONDS;
  const interval = watch.intervalSeconds ?? 10;
  const sleep = watch.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + windowSeconds * 1000;
  for (;;) {
    const { at: _fixed, ...now } = options;
    const result = await runGate(project, now);
    watch.onResult?.(result);
    if (result.outcome === 'fail' || Date.now() >= deadline) return result;
    await sleep(Math.min(interval * 1000, Math.max(0, deadline - Date.now())));
  }
}

const OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  pass: 'PASS',
  fail: 'FAIL (roll back)',
  undecided: 'CANNOT DECIDE',
};

/** Text report: the outcome and deciding SLO first, then one line per SLO. */
export function formatGate(result: GateResult): string {
  const head = result.deciding
    ? `${OUTCOME_TEXT[result.outcome]}: ${result.deciding.service}/${result.deciding.slo}: ${result.deciding.reason}`
    : OUTCOME_TEXT[result.outcome];
  const rows = result.decisions.map(
    (d) =>
      `  ${d.outcome.padEnd(9)} ${`${d.service}/${d.slo}`.padEnd(32)} events ${String(d.events).padStart(8)}  burn ${
        d.burnRate === undefined ? '-' : d.burnRate.toFixed(2)
      } / ${d.maxBurnRate}${d.p95 === undefined ? '' : `  p95 ${d.p95.toFixed(3)}s`}${
        d.baselineP95 === undefined ? '' : ` (baseline ${d.baselineP95.toFixed(3)}s)`
      }`,
  );
  return [head, `window ${formatSeconds(result.windowSeconds)}`, ...rows].join('\n');
}

/** Process exit code: 0 pass, 1 fail (roll back), 2 cannot decide. */
export const gateExitCode = (outcome: Outcome): number =>
  outcome === 'pass' ? 0 : outcome === 'fail' ? 1 : 2;
