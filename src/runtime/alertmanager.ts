/**
 * A real Alertmanager on 127.0.0.1 for end-to-end checks: started from a configuration text on a
 * free port with a temporary storage directory, driven through the v2 API, and stopped reliably
 * (also when the calling process exits). The one place outside src/load and src/emit that starts
 * processes; compilers never import it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitError, onExitSync, tieToThisProcess } from './process.ts';

/** Where Debian installs Alertmanager; `prometheus-alertmanager` on PATH otherwise. */
export const ALERTMANAGER_BINARY = existsSync('/usr/bin/prometheus-alertmanager')
  ? '/usr/bin/prometheus-alertmanager'
  : 'prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** alertmanager.yaml text. */
  readonly config: string;
  /** Files written beside the configuration (notification templates), by file name. @default {} */
  readonly files?: Readonly<Record<string, string>>;
  /** Executable. @default ALERTMANAGER_BINARY */
  readonly binary?: string;
  /** How long to wait for `/-/ready`, milliseconds. @default 20000 */
  readonly readyTimeoutMs?: number;
}

/** An alert as posted to `POST /api/v2/alerts`. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** RFC 3339; Alertmanager uses the time it receives the alert when left out. */
  readonly startsAt?: string;
  /** RFC 3339; an alert resolves at this time. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** An alert as `GET /api/v2/alerts` returns it. */
export interface AlertStatus {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly receivers: readonly { readonly name: string }[];
  readonly status: {
    readonly state: 'active' | 'suppressed' | 'unprocessed';
    /** Fingerprints of the alerts that inhibit this one. */
    readonly inhibitedBy: readonly string[];
    readonly silencedBy: readonly string[];
  };
}

export interface RunningAlertmanager {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Posts alerts through the v2 API; throws when Alertmanager rejects them. */
  postAlerts(alerts: readonly PostableAlert[]): Promise<void>;
  /** Every alert Alertmanager holds, with its status (inhibited, silenced). */
  alerts(): Promise<AlertStatus[]>;
  /** Polls `alerts()` until `done` holds; throws after `timeoutMs` with the last answer. */
  waitForAlerts(done: (alerts: AlertStatus[]) => boolean, timeoutMs?: number): Promise<AlertStatus[]>;
  /** What the process printed (its log), for error messages. */
  log(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes the storage directory. Idempotent. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1: bind port 0, read the port, release it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return true;
  return Promise.race([
    new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
    sleep(ms).then(() => exited(child)),
  ]);
}

/** Starts Alertmanager with `options.config` and waits until it is ready. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'obsgen-alertmanager-'));
  let child: ChildProcess | undefined;
  // Killed and removed also when this process exits early (Ctrl-C).
  const forget = onExitSync(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let output = '';
  const killOnExit = () => child?.kill('SIGKILL');
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child && !exited(child)) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(dir, { recursive: true, force: true });
    forget();
  };

  try {
    const configFile = join(dir, 'alertmanager.yaml');
    await writeFile(configFile, options.config);
    for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), text);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(
      options.binary ?? ALERTMANAGER_BINARY,
      [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip: a single instance that opens no other port.
        '--cluster.listen-address=',
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    process.once('exit', killOnExit);
    tieToThisProcess(child, dir);
    const collect = (chunk: Buffer) => {
      output = `${output}${chunk.toString('utf8')}`.slice(-64_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const spawnError = new Promise<never>((_, reject) => child?.once('error', reject));
    spawnError.catch(() => undefined);

    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (exited(child))
        throw exitError(output, url, `alertmanager exited with ${child.exitCode ?? child.signalCode}`);
      const ready = await Promise.race([
        fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
        spawnError,
      ]);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`alertmanager was not ready at ${url}:\n${output}`);
      await sleep(100);
    }

    const alerts = async (): Promise<AlertStatus[]> => {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: ${response.status} ${await response.text()}`);
      return (await response.json()) as AlertStatus[];
    };
    return {
      url,
      alerts,
      log: () => output,
      stop,
      async postAlerts(list) {
        const response = await fetch(`${url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(list),
        });
        if (!response.ok) throw new Error(`POST /api/v2/alerts: ${response.status} ${await response.text()}`);
      },
      async waitForAlerts(done, timeoutMs = 10_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const current = await alerts();
          if (done(current)) return current;
          if (Date.now() > until)
            throw new Error(`alerts did not reach the expected state:\n${JSON.stringify(current, null, 2)}`);
          await sleep(100);
        }
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
