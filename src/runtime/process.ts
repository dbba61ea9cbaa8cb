/**
 * Running the real monitoring programs (Prometheus, Alertmanager) on 127.0.0.1 for drills, checks
 * and benchmarks: free ports, readiness, and stopping them whatever happens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface Daemon {
  readonly child: ChildProcess;
  /** Everything the program wrote to stderr and stdout so far (for error messages). */
  output(): string;
  /** Stops the program: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a long-running program; its output is kept in memory, not inherited. */
export function startDaemon(command: string, args: readonly string[]): Daemon {
  installExitHook();
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
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

/** Polls `url` until it answers 200, the daemon exits, or `timeoutMs` passes. */
export async function waitReady(url: string, daemon: Daemon, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.child.exitCode !== null)
      throw new Error(`exited with code ${daemon.child.exitCode}:\n${daemon.output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${url}\n${daemon.output()}`);
}
