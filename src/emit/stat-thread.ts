/**
 * The stat of many output files, taken on a thread of its own. A fleet's run that reuses its
 * services checks tens of thousands of files against the stat table; on the main thread those
 * calls cost about as much as validating the definitions, which they now overlap.
 */
import { Worker } from 'node:worker_threads';

/** What a stat table entry is compared with. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** Stats of the files of a table: a FileStat, null for a path that is not a regular file, undefined for a path not asked. */
export type StatLookup = (path: string) => FileStat | null | undefined;

/** Below this many files the stats are taken on the main thread: a thread costs about 40 ms to start. */
export const STAT_THREAD_FROM = 4096;

/** Plain JavaScript (no loader needed): four numbers per path, NaN when it is not a regular file. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { lstatSync } = require('node:fs');
const { join } = require('node:path');
const { root, paths } = workerData;
const out = new Float64Array(paths.length * 4).fill(Number.NaN);
for (let i = 0; i < paths.length; i++) {
  let st;
  try {
    st = lstatSync(join(root, paths[i]), { throwIfNoEntry: false });
  } catch {}
  if (st && st.isFile()) out.set([st.size, st.mtimeMs, st.ctimeMs, st.ino], i * 4);
}
parentPort.postMessage(out, [out.buffer]);
`;

/**
 * The stats of `paths` under `root`, taken on a worker thread while the caller goes on. A thread
 * that fails yields an empty lookup: the caller then takes each stat itself.
 */
export function statsInThread(root: string, paths: readonly string[]): Promise<StatLookup> {
  const none: StatLookup = () => undefined;
  return new Promise((done) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER, { eval: true, workerData: { root, paths } });
    } catch {
      done(none);
      return;
    }
    worker.once('message', (out: Float64Array) => {
      const index = new Map(paths.map((p, i) => [p, i]));
      done((path) => {
        const i = index.get(path);
        if (i === undefined) return undefined;
        const size = out[i * 4] as number;
        if (Number.isNaN(size)) return null;
        return {
          size,
          mtimeMs: out[i * 4 + 1] as number,
          ctimeMs: out[i * 4 + 2] as number,
          ino: out[i * 4 + 3] as number,
        };
      });
      void worker.terminate();
    });
    worker.once('error', () => done(none));
    worker.once('exit', () => done(none));
  });
}
