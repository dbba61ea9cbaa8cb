/**
 * A real single-node VictoriaMetrics and a real vmalert on 127.0.0.1, for drills of environments
 * whose rules vmalert evaluates: VictoriaMetrics scrapes (its `-promscrape.config` reads
 * Prometheus's scrape_configs) and stores; vmalert queries it, writes the recording rules'
 * results back through remote write, and notifies the notifiers of a file it re-reads every
 * second. Free ports, temporary directories, stopped reliably (also when the caller exits).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../emit/yaml.ts';
import { type Daemon, freePort, onExitSync, startDaemon, waitReady } from './process.ts';
import type { Sample } from './prometheus.ts';

export const VICTORIA_METRICS_BINARY = process.env.OBSGEN_VICTORIA_METRICS ?? 'victoria-metrics';
export const VMALERT_BINARY = process.env.OBSGEN_VMALERT ?? 'vmalert';

/**
 * Delays of the drill's VictoriaMetrics and vmalert, seconds, passed as their flags. Production
 * defaults are 30s (`-search.latencyOffset`) and 5s (`-remoteWrite.flushInterval`): a drill
 * compresses the rules' time but not these, so it runs them short and says by how much each hop
 * of rule evaluation through remote write is late.
 */
export const VM_DRILL_DELAYS = {
  /** `-search.latencyOffset`: queries near now read the samples of this long ago. */
  latencyOffsetSeconds: 1,
  /** `-remoteWrite.flushInterval` of vmalert: recorded samples wait this long before they are sent. */
  remoteWriteFlushSeconds: 1,
  /** VictoriaMetrics makes ingested rows searchable once a second. */
  ingestSeconds: 1,
} as const;

export interface RunningVictoriaMetrics {
  readonly url: string;
  readonly dir: string;
  readonly daemon: Daemon;
  /** Instant query (Prometheus API); throws with the server's error text when it fails. */
  query(expr: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

export interface RunningVmalert {
  readonly url: string;
  readonly dir: string;
  readonly daemon: Daemon;
  /** Raw JSON `data` of GET /api/v1/<path>. */
  api(path: string): Promise<unknown>;
  /** Its /metrics text. */
  metrics(): Promise<string>;
  /** Replaces the notifiers (`http://host:port` each); vmalert picks them up within a second. */
  setNotifiers(urls: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** A daemon in a temporary directory of its own, removed when it stops or this process exits. */
async function daemonDir(name: string): Promise<{ dir: string; forget: () => void }> {
  const dir = await mkdtemp(join(tmpdir(), `obsgen-${name}-`));
  return { dir, forget: onExitSync(() => rmSync(dir, { recursive: true, force: true })) };
}

async function started<T>(
  dir: string,
  forget: () => void,
  daemon: Daemon,
  ready: string,
  running: (stop: () => Promise<void>) => T,
): Promise<T> {
  const stop = async () => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  try {
    await waitReady(ready, daemon);
  } catch (error) {
    await stop();
    throw error;
  }
  return running(stop);
}

/** Starts single-node VictoriaMetrics scraping what `scrape` (global + scrape_configs) says. */
export async function startVictoriaMetrics(
  scrape: Readonly<Record<string, unknown>>,
): Promise<RunningVictoriaMetrics> {
  const { dir, forget } = await daemonDir('victoria-metrics');
  // VictoriaMetrics reads scrape settings only: it refuses Prometheus's evaluation_interval.
  const { evaluation_interval: _, ...global } = (scrape.global ?? {}) as Record<string, unknown>;
  await writeFile(join(dir, 'scrape.yml'), toYaml({ ...scrape, global }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const daemon = startDaemon(
    VICTORIA_METRICS_BINARY,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      `-promscrape.config=${join(dir, 'scrape.yml')}`,
      `-search.latencyOffset=${VM_DRILL_DELAYS.latencyOffsetSeconds}s`,
      '-loggerLevel=ERROR',
    ],
    dir,
  );
  return started(dir, forget, daemon, `${url}/health`, (stop) => ({
    url,
    dir,
    daemon,
    stop,
    query: async (expr: string) => {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? response.statusText}`);
      return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  }));
}

export interface VmalertOptions {
  /** Rule files: file name -> YAML text. */
  readonly rules: Readonly<Record<string, string>>;
  /** VictoriaMetrics it queries and writes the recording rules' results (and alert state) to. */
  readonly datasource: string;
  /** Extra flags. @default [] */
  readonly args?: readonly string[];
}

/** Starts vmalert with no notifier; `setNotifiers` adds them. */
export async function startVmalert(options: VmalertOptions): Promise<RunningVmalert> {
  const { dir, forget } = await daemonDir('vmalert');
  const names = Object.keys(options.rules).sort();
  for (const name of names) await writeFile(join(dir, name), options.rules[name] ?? '');
  const notifierFile = join(dir, 'notifiers.yml');
  const writeNotifiers = (urls: readonly string[]) =>
    writeFile(
      notifierFile,
      toYaml({ static_configs: [{ targets: urls.map((u) => u.replace(/^https?:\/\//, '')) }] }),
    );
  await writeNotifiers([]);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const daemon = startDaemon(
    VMALERT_BINARY,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      ...names.map((n) => `-rule=${join(dir, n)}`),
      `-datasource.url=${options.datasource}`,
      `-remoteWrite.url=${options.datasource}`,
      `-remoteWrite.flushInterval=${VM_DRILL_DELAYS.remoteWriteFlushSeconds}s`,
      `-notifier.config=${notifierFile}`,
      '-configCheckInterval=1s',
      // Alerts carry the labels the rules give them, as from Prometheus.
      '-disableAlertgroupLabel',
      '-loggerLevel=ERROR',
      ...(options.args ?? []),
    ],
    dir,
  );
  return started(dir, forget, daemon, `${url}/health`, (stop) => ({
    url,
    dir,
    daemon,
    stop,
    setNotifiers: writeNotifiers,
    metrics: () => fetch(`${url}/metrics`).then((r) => r.text()),
    api: async (path: string) => {
      const response = await fetch(`${url}/api/v1/${path}`);
      const body = (await response.json()) as { status: string; data?: unknown; error?: string };
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.statusText}`);
      return body.data;
    },
  }));
}
