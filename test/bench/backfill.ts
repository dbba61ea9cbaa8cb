/**
 * History for the benchmark, through the real tools: synthetic OpenMetrics text into TSDB blocks
 * with `promtool tsdb create-blocks-from openmetrics`, and recorded series over that history with
 * `promtool tsdb create-blocks-from rules` against a running Prometheus.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  openMetricsDocument,
  type SynthFamily,
  seriesCount,
  timeChunks,
} from '../../src/synth/openmetrics.ts';
import { tool } from '../helpers/tools.ts';

/** The TSDB block length promtool writes: a chunk never crosses a multiple of it. */
const BLOCK_SECONDS = 7_200;
/** Chunk lengths that divide the block length, longest first. */
const CHUNK_CHOICES = [7_200, 3_600, 1_800, 1_200, 900, 600, 300, 120, 60];

/** The longest chunk whose file stays under `maxLines` samples (promtool maps the whole file). */
export function chunkSeconds(series: number, step: number, maxLines = 6_000_000): number {
  return CHUNK_CHOICES.find((c) => (c / step) * series <= maxLines) ?? CHUNK_CHOICES.at(-1) ?? BLOCK_SECONDS;
}

async function writeDocument(file: string, pieces: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (const piece of pieces) {
    bytes += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

async function promtool(args: readonly string[]): Promise<void> {
  const result = await tool('promtool', args);
  if (result.code !== 0) throw new Error(`promtool ${args.slice(0, 3).join(' ')} failed:\n${result.stderr}`);
}

/** Moves every block directory (a ULID) from `from` into the TSDB directory `dataDir`. */
async function moveBlocks(from: string, dataDir: string): Promise<number> {
  const blocks = (await readdir(from, { withFileTypes: true })).filter(
    (e) => e.isDirectory() && /^[0-9A-Z]{26}$/.test(e.name),
  );
  for (const block of blocks) await rename(join(from, block.name), join(dataDir, block.name));
  return blocks.length;
}

export interface BackfillResult {
  readonly samples: number;
  readonly bytes: number;
  readonly blocks: number;
}

/**
 * Writes the families' samples at every `step` in `[start, end)` as TSDB blocks into `dataDir`:
 * one OpenMetrics file per time chunk (streamed to disk, removed after use), `workers` promtool
 * processes at a time, each into its own directory so they never see each other's blocks.
 */
export async function backfillHistory(
  families: readonly SynthFamily[],
  range: { start: number; end: number; step: number },
  dataDir: string,
  workDir: string,
  workers = 2,
): Promise<BackfillResult> {
  const series = seriesCount(families);
  const chunks = [...timeChunks(range.start, range.end, chunkSeconds(series, range.step))];
  await mkdir(dataDir, { recursive: true });
  let next = 0;
  let bytes = 0;
  let blocks = 0;
  const worker = async (id: number) => {
    const out = join(workDir, `blocks-${id}`);
    await mkdir(out, { recursive: true });
    for (let i = next++; i < chunks.length; i = next++) {
      const [from, to] = chunks[i] as [number, number];
      const file = join(workDir, `chunk-${id}.om`);
      bytes += await writeDocument(file, openMetricsDocument(families, from, to, range.step));
      await promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, out]);
      await rm(file, { force: true });
      blocks += await moveBlocks(out, dataDir);
    }
    await rm(out, { recursive: true, force: true });
  };
  await Promise.all(Array.from({ length: workers }, (_, id) => worker(id)));
  return { samples: series * ((range.end - range.start) / range.step), bytes, blocks };
}

/**
 * Evaluates the recording rules of each file over `[start, end)` against the Prometheus at `url`,
 * one promtool process per file at the same time, and moves the resulting blocks into `dataDir`.
 */
export async function backfillRules(
  ruleFiles: readonly string[],
  url: string,
  range: { start: number; end: number; step: number },
  dataDir: string,
  workDir: string,
): Promise<number> {
  const counts = await Promise.all(
    ruleFiles.map(async (file, i) => {
      const out = join(workDir, `rule-blocks-${i}`);
      await mkdir(out, { recursive: true });
      await promtool([
        'tsdb',
        'create-blocks-from',
        'rules',
        '--quiet',
        `--url=${url}`,
        `--start=${range.start}`,
        `--end=${range.end}`,
        `--eval-interval=${range.step}s`,
        `--output-dir=${out}`,
        file,
      ]);
      const blocks = await moveBlocks(out, dataDir);
      await rm(out, { recursive: true, force: true });
      return blocks;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

interface BlockMeta {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
}

async function listBlocks(dataDir: string): Promise<BlockMeta[]> {
  const entries = await readdir(dataDir, { withFileTypes: true });
  const metas: BlockMeta[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !/^[0-9A-Z]{26}$/.test(e.name)) continue;
    const text = await readFile(join(dataDir, e.name, 'meta.json'), 'utf8').catch(() => undefined);
    if (text) metas.push(JSON.parse(text) as BlockMeta);
  }
  return metas.sort((a, b) => a.minTime - b.minTime);
}

const overlapping = (blocks: readonly BlockMeta[]): boolean =>
  blocks.some((b, i) => i > 0 && b.minTime < (blocks[i - 1] as BlockMeta).maxTime);

/**
 * Waits until the Prometheus serving `dataDir` has merged the backfilled blocks: no two blocks
 * overlap and the set of blocks has not changed for `quietMs`. Prometheus looks at its directory
 * once a minute, so this takes a minute or two.
 */
export async function waitForCompaction(
  dataDir: string,
  options: { quietMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const quietMs = options.quietMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let last = '';
  let since = Date.now();
  for (;;) {
    const blocks = await listBlocks(dataDir);
    const key = blocks.map((b) => b.ulid).join(',');
    if (key !== last) {
      last = key;
      since = Date.now();
    }
    if (!overlapping(blocks) && Date.now() - since >= quietMs) return blocks.length;
    if (Date.now() > deadline) throw new Error(`blocks in ${dataDir} were not compacted in time`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
