/**
 * Running the real monitoring programs (Prometheus, Alertmanager) on 127.0.0.1 for drills, checks
 * and benchmarks: free ports, readiness, and stopping them whatever happens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '../model/operator-error.ts';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it, so parallel runs differ). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

const running = new Set<ChildProcess>();
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Runs `cleanup` (synchronous: removing a temporary directory) when this process exits, also on
 * Ctrl-C, unless the returned function unregisters it first.
 */
export function onExitSync(cleanup: () => void): () => void {
  installExitHook();
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/**
 * Kills every child still running and runs the registered cleanups when this process exits, also
 * on Ctrl-C (SIGINT, exit 130) and SIGTERM. Idempotent; starting a daemon installs it too.
 */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        // Best effort while exiting: one failed removal must not keep the others from running.
      }
    }
  };
  process.once('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

/**
 * Kills `child` when this process exits (also on Ctrl-C and SIGTERM), before the cleanups run: a
 * program still writing into a temporary directory (tar extracting) stops before it is removed.
 */
export function killOnExit(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** File in a daemon's temporary directory naming this process and the daemon: `<ours> <daemon>`. */
const PID_FILE = 'obsgen-daemon.pid';
/** Temporary directories of the daemons obsgen starts (runtime/prometheus.ts, alertmanager.ts, victoria-metrics.ts). */
const DAEMON_DIR = /^obsgen-(prometheus|alertmanager|victoria-metrics|vmalert)-/;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes a daemon die with this process, even when this process is killed with SIGKILL and runs no
 * exit hook: a watchdog shell (its own process group, so Ctrl-C does not reach it first) polls
 * both and stops the daemon once this process is gone. The pid file in `dir` lets the next run
 * reap the daemon should the watchdog itself be killed too.
 */
export function tieToThisProcess(child: ChildProcess, dir: string): void {
  if (child.pid === undefined) return;
  writeFileSync(join(dir, PID_FILE), `${process.pid} ${child.pid}\n`);
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 0.5; done; if kill -0 ${child.pid} 2>/dev/null; then kill -TERM ${child.pid}; sleep 3; kill -KILL ${child.pid} 2>/dev/null; rm -rf '${dir.replaceAll("'", "'\\''")}'; fi`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => undefined);
  watchdog.unref();
}

/**
 * Stops the daemons, and removes the directories, that runs killed before they could clean up
 * left behind (their pid file names a dead obsgen). Called before a drill starts its own.
 */
export async function reapOrphans(dir = tmpdir()): Promise<string[]> {
  const reaped: string[] = [];
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (!DAEMON_DIR.test(entry)) continue;
    const path = join(dir, entry);
    const text = await readFile(join(path, PID_FILE), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const [owner = 0, daemon = 0] = text.trim().split(' ').map(Number);
    if (alive(owner)) continue;
    const command = (() => {
      try {
        return readFileSync(`/proc/${daemon}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })();
    // Only a daemon obsgen started: the pid may have been reused since.
    if (alive(daemon) && command.includes(path)) {
      process.kill(daemon, 'SIGKILL');
      reaped.push(`${daemon}`);
    }
    rmSync(path, { recursive: true, force: true });
    reaped.push(path);
  }
  return reaped;
}

export interface Daemon {
  readonly child: ChildProcess;
  /** Everything the program wrote to stderr and stdout so far (for error messages). */
  output(): string;
  /** Stops the program: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a long-running program; its output is kept in memory, not inherited. */
export function startDaemon(command: string, args: readonly string[], dir?: string): Daemon {
  installExitHook();
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  if (dir !== undefined) tieToThisProcess(child, dir);
  child.on('error', () => undefined);
  const chunks: string[] = [];
  const keep = (data: Buffer) => {
    chunks.push(data.toString());
    if (chunks.length > 2000) chunks.splice(0, 1000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  return {
    child,
    output: () => chunks.join(''),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Why a daemon exited before it was ready: a port taken by another program is the operator's to
 * fix (one line), anything else the daemon's own words.
 */
export function exitError(output: string, url: string, exited: string): Error {
  if (/address already in use/i.test(output))
    return new OperatorError(`${new URL(url).host}: address already in use (EADDRINUSE)`);
  return new Error(`${exited}:\n${output}`);
}

/** Polls `url` until it answers 200, the daemon exits, or `timeoutMs` passes. */
export async function waitReady(url: string, daemon: Daemon, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.child.exitCode !== null)
      throw exitError(daemon.output(), url, `exited with code ${daemon.child.exitCode}`);
    try {
      // A program that accepts and never answers (another one on the port) must not stall the wait.
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${url}\n${daemon.output()}`);
}
