/** The worker thread's side of share-pool.ts: builds the services it is sent, by index. */
import { parentPort, workerData } from 'node:worker_threads';
import type { AlertmanagerArtifact } from './compile/index.ts';
import type { Project } from './model/resolved.ts';
import { serviceShare, shareContext } from './service-share.ts';

const data = workerData as { project: Project; alertmanager: readonly AlertmanagerArtifact[] };
const ctx = shareContext(data.project, data.alertmanager);

parentPort?.on('message', async (index: number) => {
  const svc = ctx.project.services[index];
  try {
    if (!svc) throw new Error(`no service at ${index}`);
    parentPort?.postMessage({ index, share: await serviceShare(ctx, svc) });
  } catch (error) {
    parentPort?.postMessage({
      index,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
