/**
 * `npm run bench` (first part): a fleet as a real repository (one definition file per service, see
 * fleet-repo.ts) through the CLI, each run in its own process: loading included, every target.
 * Prints wall time and peak memory of a first `generate` (no cache), a second with nothing changed,
 * one after changing one service's objective, and `generate --check`, each with the load average
 * when it started; the start-up alone (`obsgen --version`) to read "past start-up" against; and
 * the same tree copied by `cp -r`, the file system's share of the cold run.
 * FLEET_SERVICES (default 1000) sets the size.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetServicePath, writeFleetRepo } from './fleet-repo.ts';

const SERVICES = Number(process.env.FLEET_SERVICES ?? 1000);
const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(CHECKOUT, 'src', 'cli', 'bin.js');
/** Loaded before the CLI: prints the process's peak resident memory when it exits. */
const PEAK = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => process.stderr.write('\\npeak-rss-kib ' + process.resourceUsage().maxRSS + '\\n'));",
)}`;

interface Run {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly code: number;
  readonly stdout: string;
  readonly load: string;
}

/** The load average (1, 5, 15 min) as printed beside each figure. */
const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function obsgen(root: string, args: readonly string[]): Promise<Run> {
  const load = loadNow();
  const start = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', PEAK, BIN, '--root', root, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const peak = /peak-rss-kib (\d+)/.exec(stderr);
      done({
        seconds: (performance.now() - start) / 1000,
        peakMiB: peak ? Number(peak[1]) / 1024 : Number.NaN,
        code: code ?? 1,
        stdout,
        load,
      });
    });
  });
}

const line = (name: string, r: Run, extra = ''): string =>
  `${name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s  ${(Number.isNaN(r.peakMiB) ? '-' : r.peakMiB.toFixed(0)).padStart(5)} MiB  load ${r.load}${extra ? `  ${extra}` : ''}`;

/**
 * The file system's part of a cold run: the same tree copied by `cp -r`, no obsgen involved. On a
 * machine whose file creation is slow (a virtual disk), this floor is most of the cold figure.
 */
async function copyTree(from: string, to: string): Promise<Run> {
  const load = loadNow();
  const start = performance.now();
  const code = await new Promise<number>((done, fail) => {
    const child = spawn('cp', ['-r', from, to], { stdio: 'ignore' });
    child.on('error', fail);
    child.on('close', (c) => done(c ?? 1));
  });
  const run = { seconds: (performance.now() - start) / 1000, peakMiB: Number.NaN, code, stdout: '', load };
  await rm(to, { recursive: true, force: true });
  return run;
}

/** "N files, M MiB" of a folder. */
async function treeSize(dir: string): Promise<string> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      files++;
      bytes += (await stat(join(entry.parentPath, entry.name))).size;
    }
  return `${files} files, ${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

const changedCount = (stdout: string): string => /(\d+ files in .*, \d+ changed)/.exec(stdout)?.[1] ?? '';

const dir = await mkdtemp(join(tmpdir(), 'obsgen-fleet-'));
try {
  const root = join(dir, 'fleet');
  const t0 = performance.now();
  await writeFleetRepo(root, SERVICES);
  console.log(
    `fleet: ${SERVICES} services x 4 SLOs x 2 environments, one definition file each (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const startup = await obsgen(root, ['--version']);
  console.log(line('start-up (obsgen --version)', startup));
  const cold = await obsgen(root, ['generate']);
  if (cold.code !== 0) throw new Error(`generate failed:\n${cold.stdout}`);
  console.log(line('generate, no cache', cold, changedCount(cold.stdout)));
  console.log(
    line(
      'copying that tree (cp -r)',
      await copyTree(join(root, 'generated'), join(dir, 'copy')),
      await treeSize(join(root, 'generated')),
    ),
  );
  const again = await obsgen(root, ['generate']);
  console.log(line('generate, nothing changed', again, changedCount(again.stdout)));
  const file = fleetServicePath(root, Math.floor(SERVICES / 2));
  await writeFile(file, (await readFile(file, 'utf8')).replace('objective: 0.999', 'objective: 0.998'));
  const one = await obsgen(root, ['generate']);
  console.log(line('generate, one service changed', one, changedCount(one.stdout)));
  const check = await obsgen(root, ['generate', '--check']);
  console.log(line('generate --check', check, check.code === 0 ? 'up to date' : 'DRIFT'));
  const full = await obsgen(root, ['generate', '--full']);
  console.log(line('generate --full (cache ignored)', full, changedCount(full.stdout)));
} finally {
  await rm(dir, { recursive: true, force: true });
}
