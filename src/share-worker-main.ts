/** The worker thread's side of share-pool.ts: builds the services it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { type ShareContext, type ShareRequest, serviceShare } from './service-share.ts';

const ctx = workerData as ShareContext;

parentPort?.on('message', async ({ index, svc }: ShareRequest) => {
  try {
    parentPort?.postMessage({ index, share: await serviceShare(ctx, svc) });
  } catch (error) {
    parentPort?.postMessage({
      index,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
