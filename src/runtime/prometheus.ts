/** A real Prometheus server on 127.0.0.1: config and rules in a temporary directory, HTTP API access. */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../emit/yaml.ts';
import { type Daemon, freePort, onExitSync, startDaemon, waitReady } from './process.ts';

export const PROMETHEUS_BINARY = process.env.OBSGEN_PROMETHEUS ?? 'prometheus';

export interface PrometheusOptions {
  /** Rule files: file name -> YAML text (written into the server's directory). @default {} */
  readonly rules?: Readonly<Record<string, string>>;
  /** The rest of prometheus.yml (global, scrape_configs, alerting); rule_files is filled in. @default {} */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Existing TSDB directory to serve (backfilled blocks); a fresh one when absent. */
  readonly dataDir?: string;
  /** Extra command-line flags. @default [] */
  readonly args?: readonly string[];
}

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly dir: string;
  readonly daemon: Daemon;
  /** Instant query; throws with Prometheus' error text when the query fails. */
  query(expr: string, time?: number): Promise<Sample[]>;
  /** Raw JSON of GET /api/v1/<path>. */
  api(path: string, params?: Readonly<Record<string, string>>): Promise<unknown>;
  /** Replaces the rest of prometheus.yml (as `options.config`) and reloads it; rules stay. */
  reload(config: Readonly<Record<string, unknown>>): Promise<void>;
  /** Stops the server and removes its directory (not a caller-provided dataDir). */
  stop(): Promise<void>;
}

/** Starts Prometheus with the given rules and configuration and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'obsgen-prometheus-'));
  // Removed also when this process exits early (Ctrl-C), after the exit hook killed the server.
  const forget = onExitSync(() => rmSync(dir, { recursive: true, force: true }));
  const ruleFiles = Object.keys(options.rules ?? {}).sort();
  for (const name of ruleFiles) await writeFile(join(dir, name), options.rules?.[name] ?? '');
  const writeConfig = (config: Readonly<Record<string, unknown>> = {}) =>
    writeFile(
      join(dir, 'prometheus.yml'),
      toYaml({ ...config, rule_files: ruleFiles.map((f) => join(dir, f)) }),
    );
  await writeConfig(options.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const daemon = startDaemon(
    PROMETHEUS_BINARY,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${options.dataDir ?? join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...(options.args ?? []),
    ],
    dir,
  );
  const stop = async () => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  try {
    await waitReady(`${url}/-/ready`, daemon);
  } catch (error) {
    await stop();
    throw error;
  }
  const api = async (path: string, params: Readonly<Record<string, string>> = {}) => {
    const response = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.statusText}`);
    return body.data;
  };
  const query = async (expr: string, time?: number) => {
    const data = (await api('query', {
      query: expr,
      ...(time === undefined ? {} : { time: String(time) }),
    })) as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[] | [number, string];
    };
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      const [, value] = data.result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  };
  const reload = async (config: Readonly<Record<string, unknown>>) => {
    await writeConfig(config);
    const response = await fetch(`${url}/-/reload`, { method: 'POST' });
    if (!response.ok) throw new Error(`reload: ${response.status} ${await response.text()}`);
  };
  return { url, dir, daemon, query, api, reload, stop };
}
