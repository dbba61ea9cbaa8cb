/**
 * Services built for `generate` in the order it takes them: on the main thread, or, when a run
 * builds many, on worker threads (each service is compiled, derived, rendered and checked on its
 * own, so services are independent work; a cold fleet of a thousand is CPU-bound). Results are
 * handed over in service order whichever thread finishes first, so diagnostics and writes keep
 * their order and the output stays byte-identical.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OperatorError } from './model/operator-error.ts';
import type { ResolvedService } from './model/resolved.ts';
import {
  type ServiceShare,
  type ShareContext,
  type ShareRequest,
  serviceShare,
  threadContext,
} from './service-share.ts';

/** Fewest services a run builds before worker threads pay for their start (about 0.5 s each). */
export const WORKERS_FROM = 24;
/** Most worker threads: beyond that, the main thread's writing is the bottleneck. */
export const MAX_WORKERS = 4;
/**
 * Old-generation heap of each worker thread, MiB. A thread's live data is its modules and one
 * service (about 100 MiB); without a limit V8 lets each heap grow to several times that before
 * collecting, and two threads took a fleet's run past 1 GiB. Five times the live data keeps
 * collections rare.
 */
export const WORKER_HEAP_MIB = 512;
/**
 * Young-generation heap of each worker thread, MiB. Building a service allocates far more than it
 * keeps; with V8's default a fleet's first run spent about a fifth of the threads' time in
 * scavenges. 64 MiB: `generate --full` of 1,000 services 19.2 to 19.7 s (36.4 to 37.3 s of CPU)
 * against 22.3 to 23.8 s (42.2 to 44.6 s), peak 860 to 890 MiB against 750; 128 MiB gained no
 * more and took the peak past 1 GiB.
 */
export const WORKER_YOUNG_MIB = 64;
/** Services built ahead of the one taken, per worker: enough to keep each busy, few to bound memory. */
const AHEAD_PER_WORKER = 3;

/** Worker threads for a run building `count` services: every CPU (at most 4) for many, none for few. */
export const defaultWorkers = (count: number): number =>
  count >= WORKERS_FROM ? Math.min(availableParallelism(), MAX_WORKERS) : 0;

export interface SharePool {
  /** The next service's share, in the order the services were given. */
  next(): Promise<ServiceShare>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/** A message from a worker: the share of the service at `index`, or why it could not be built. */
interface Reply {
  readonly index: number;
  readonly share?: ServiceShare;
  readonly error?: string;
}

/** Why a thread died: running out of its heap is the machine's limit (one line, exit 2), not a bug. */
const threadFailure = (error: Error, heapMib: number): Error =>
  (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new OperatorError(
        `a worker thread ran out of its ${heapMib} MiB heap building services; generate --workers 0 builds them on the main thread`,
      )
    : error;

/** The services' shares, built `workers` at a time on worker threads (0: one by one, here). */
export function sharePool(
  ctx: ShareContext,
  services: readonly ResolvedService[],
  workers: number,
  heapMib = WORKER_HEAP_MIB,
): SharePool {
  if (workers <= 0 || services.length === 0) {
    let next = 0;
    return {
      next: () => {
        const svc = services[next++];
        if (!svc) throw new Error('no more services to build');
        return serviceShare(ctx, svc);
      },
      close: async () => undefined,
    };
  }
  const threads = Array.from({ length: Math.min(workers, services.length) }, () => {
    const worker = new Worker(new URL('./share-worker.js', import.meta.url), {
      workerData: threadContext(ctx),
      resourceLimits: { maxOldGenerationSizeMb: heapMib, maxYoungGenerationSizeMb: WORKER_YOUNG_MIB },
    });
    worker.unref();
    return { worker, busy: 0 };
  });
  const waiting = new Map<number, { done: (share: ServiceShare) => void; fail: (error: Error) => void }>();
  /** Set when a thread died: what is waited for and what is asked for next fails with it. */
  let broken: Error | undefined;
  for (const thread of threads) {
    thread.worker.on('message', (reply: Reply) => {
      thread.busy--;
      const waiter = waiting.get(reply.index);
      waiting.delete(reply.index);
      if (reply.share) waiter?.done(reply.share);
      else waiter?.fail(new Error(reply.error ?? 'a worker failed'));
    });
    thread.worker.on('error', (error) => {
      const failure = threadFailure(error, heapMib);
      broken ??= failure;
      for (const w of waiting.values()) w.fail(failure);
      waiting.clear();
    });
  }
  const started: Promise<ServiceShare>[] = [];
  const start = (i: number): void => {
    const svc = services[i];
    if (!svc || started[i]) return;
    // The least busy thread, so one slow service does not hold up the ones queued behind it.
    const thread = threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    thread.busy++;
    started[i] = broken
      ? Promise.reject(broken)
      : new Promise((done, fail) => waiting.set(i, { done, fail }));
    // Taken in order later; a failure is reported then, not as an unhandled rejection now.
    started[i]?.catch(() => undefined);
    thread.worker.postMessage({ index: i, svc } satisfies ShareRequest);
  };
  let taken = 0;
  return {
    next: async () => {
      const i = taken++;
      for (let j = i; j < Math.min(services.length, i + 1 + threads.length * AHEAD_PER_WORKER); j++) start(j);
      const share = started[i];
      if (!share) throw new Error('no more services to build');
      delete started[i];
      return share;
    },
    close: async () => {
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
