/**
 * Benchmark of `obsgen lint` on the built-in definitions, promtool and amtool included: wall time
 * of the command as a user runs it (a fresh process: tsx start-up, loading the definitions,
 * compiling, every check), and an in-process breakdown by phase and check. Target: under 3 s on
 * 2 cores. A benchmark, not a test: it reports, it does not fail on a slow (shared) machine.
 *
 *   npm run bench:lint [-- --runs 5]
 */
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CHECKS, lintContext } from '../../src/checks/index.ts';
import { build, loadProject } from '../../src/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TARGET_MS = 3_000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function lintProcess(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(ROOT, 'src', 'cli', 'bin.js'), '--root', ROOT, 'lint'],
      (error, stdout) => {
        if (error) reject(new Error(`obsgen lint failed: ${stdout}`));
        else resolve(performance.now() - start);
      },
    ),
  );
}

const ms = (n: number) => `${Math.round(n)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function breakdown(): Promise<[string, number][]> {
  const rows: [string, number][] = [];
  let t = performance.now();
  const lap = (what: string) => {
    const now = performance.now();
    rows.push([what, now - t]);
    t = now;
  };
  const { project } = await loadProject({ root: ROOT });
  if (!project) throw new Error('the built-in definitions do not validate');
  lap('load and validate definitions');
  const built = build(project);
  lap('compile, derive, render');
  const { ctx, close } = lintContext({ ...built });
  try {
    await ctx.workDir();
    void ctx.rules;
    void ctx.panels;
    lap('write, index rules and panels');
    for (const check of CHECKS) {
      await check.run(ctx);
      lap(`check ${check.name}`);
    }
  } finally {
    await close();
  }
  return rows;
}

const walls: number[] = [];
for (let i = 0; i < RUNS; i++) walls.push(await lintProcess());
const rows = await breakdown();

const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
process.stdout.write(
  [
    `obsgen lint of the built-in definitions, ${RUNS} runs as a process (${cpus().length} CPUs, load average ${load})`,
    `  wall: median ${ms(median(walls))}, min ${ms(Math.min(...walls))}, max ${ms(Math.max(...walls))}`,
    `  target ${ms(TARGET_MS)}: ${median(walls) < TARGET_MS ? 'met' : 'missed'} (median)`,
    '',
    'in-process breakdown (one run, checks one after another):',
    ...rows.map(([what, t]) => `  ${what.padEnd(40)} ${ms(t).padStart(8)}`),
    '',
  ].join('\n'),
);
