/**
 * Benchmark of the promtool proofs as a user runs them: for N services (1, 10, 100 by default), a
 * temporary project of N definition files (objectives and periods among a few typical ones, so
 * several services share a window math shape), `obsgen generate` then `obsgen test` (every
 * environment) as processes; then, the first state committed, one objective of one service
 * changes and `obsgen test --changed-since HEAD` runs twice: with only the definition changed, and
 * after `obsgen generate` (the scope is read from the generated files that differ, so only then is
 * the objective's new math shape proven). Prints per N the wall time, the peak RSS (GNU time's:
 * the largest single process of the run, obsgen or a promtool it waited for) and how many promtool
 * test files and math shapes there are. A benchmark, not a test: it reports, it does not fail on a
 * slow (shared) machine.
 *
 *   npm run bench:proofs [-- 1 10]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const MODEL = join(ROOT, 'src', 'model', 'index.ts');
/** The CLI as `npx obsgen` starts it. */
const CLI = join(ROOT, 'src', 'cli', 'bin.js');
const TIME = '/usr/bin/time';

/** Objective, period and SLI kind of each service's SLOs, cycled through the fleet. */
const PROFILES = [
  { availability: 0.999, errors: 0.995, period: '30d' },
  { availability: 0.9995, errors: 0.999, period: '28d' },
  { availability: 0.99, errors: 0.99, period: '7d' },
  { availability: 0.999, errors: 0.9999, period: '30d' },
] as const;

/** One definition file: a probe and a request SLO over two environments, like the bench fleet. */
function serviceFile(i: number, changed = false): string {
  const name = `svc-${String(i).padStart(3, '0')}`;
  const profile = PROFILES[i % PROFILES.length] as (typeof PROFILES)[number];
  const errors = changed ? 0.998 : profile.errors;
  return `import { defineEnvironment, defineMetrics, defineService, defineSlo, probeSli, ratioSli, re, select } from ${JSON.stringify(MODEL)};

const environments = ['staging', 'production'].map((env) =>
  defineEnvironment({
    name: env,
    namespace: \`${name}-\${env}\`,
    paging: env === 'production',
    runbookBaseUrl: 'https://runbooks.example.com',
    grafanaBaseUrl: 'https://grafana.example.com',
  }),
);

const metrics = defineMetrics({
  http_requests_total: {
    type: 'counter',
    help: 'Requests.',
    labels: ['job', 'namespace', 'handler', 'status'],
    constLabels: { job: '${name}' },
    values: { status: ['200', '503'] },
  },
  probe_success: { type: 'gauge', help: 'Probe.', labels: ['job', 'namespace', 'instance'] },
});

export default defineService({
  name: '${name}',
  team: 'fleet',
  environments,
  metrics,
  slos: [
    defineSlo({
      id: 'availability',
      description: 'Probe succeeds.',
      objective: ${profile.availability},
      period: '${profile.period}',
      sli: probeSli({ gauge: select(metrics.probe_success, { instance: 'https://${name}.example.com/' }) }),
    }),
    defineSlo({
      id: 'errors',
      description: 'No 5xx.',
      objective: ${errors},
      period: '${profile.period}',
      sli: ratioSli({
        bad: select(metrics.http_requests_total, { status: re('5..') }),
        total: select(metrics.http_requests_total),
      }),
    }),
  ],
});
`;
}

const CONFIG = `import { defineConfig } from ${JSON.stringify(MODEL)};

export default defineConfig({ definitions: 'slos', outDir: 'generated' });
`;

interface Measured {
  readonly seconds: number;
  /** Peak RSS of the largest process of the run, MiB. */
  readonly rssMiB: number;
  readonly stdout: string;
}

/** Runs a command under GNU time; peak RSS from its report, wall from the clock. */
function measured(args: readonly string[], cwd: string): Promise<Measured> {
  const start = performance.now();
  return new Promise((resolve, reject) =>
    execFile(TIME, ['-v', ...args], { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      // Exit 1 is a finding (a failed scenario), reported with the figures; anything else stops.
      if (error && error.code !== 1) {
        reject(new Error(`${args.join(' ')} failed:\n${stdout}\n${stderr}`));
        return;
      }
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({
        seconds: (performance.now() - start) / 1000,
        rssMiB: Number(rss?.[1] ?? Number.NaN) / 1024,
        stdout,
      });
    }),
  );
}

const obsgen = (dir: string, ...args: string[]) =>
  measured([process.execPath, CLI, '--root', dir, ...args], dir);

function git(dir: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      'git',
      ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args],
      { cwd: dir },
      (error, _stdout, stderr) => (error ? reject(new Error(`git ${args.join(' ')}: ${stderr}`)) : resolve()),
    ),
  );
}

/** promtool test files and math shapes in generated/tests. */
async function counts(dir: string): Promise<{ files: number; shapes: number }> {
  const tests = join(dir, 'generated', 'tests');
  const entries = await readdir(tests, { recursive: true });
  const files = entries.filter((e) => e.endsWith('.test.yaml')).length;
  const shapes = existsSync(join(tests, 'shapes'))
    ? (await readdir(join(tests, 'shapes'))).filter((e) => e.endsWith('.rules.yaml')).length
    : 0;
  return { files, shapes };
}

/** The verdict of an `obsgen test` run, with the scenarios that failed. */
function verdict(stdout: string): string {
  if (/every scenario passed/.test(stdout)) return 'every scenario passed';
  const failed = [...stdout.matchAll(/^\s+FAIL\s+\S+: (.*)$/gm)].map((m) => m[1]);
  return `${failed.length} failed scenario result(s): ${[...new Set(failed)].join('; ')}`;
}

const scopeLine = (stdout: string): string =>
  /changed since [^\n]*/.exec(stdout)?.[0] ?? '(no scope line printed)';

async function bench(n: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), `obsgen-bench-proofs-${n}-`));
  try {
    await mkdir(join(dir, 'slos'));
    await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    await writeFile(join(dir, 'obsgen.config.ts'), CONFIG);
    for (let i = 0; i < n; i++) await writeFile(join(dir, 'slos', `svc-${i}.ts`), serviceFile(i));
    const generate = await obsgen(dir, 'generate');
    const { files, shapes } = await counts(dir);
    const test = await obsgen(dir, 'test');
    await git(dir, 'init', '-q');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'first state');
    await writeFile(join(dir, 'slos', 'svc-0.ts'), serviceFile(0, true));
    const changed = await obsgen(dir, 'test', '--changed-since', 'HEAD');
    // The scope is read from the generated files that differ from HEAD: only once generated/ holds
    // the change does a new math shape count as touched.
    await obsgen(dir, 'generate');
    const regenerated = await obsgen(dir, 'test', '--changed-since', 'HEAD');
    const s = (x: number) => `${x.toFixed(1)} s`;
    const mib = (x: number) => `${Math.round(x)} MiB`;
    const line = (what: string, run: Measured, extra = '') =>
      `  ${what.padEnd(50)} ${s(run.seconds).padStart(8)}, peak RSS ${mib(run.rssMiB)}${extra}`;
    return [
      `${n} service(s), ${2 * n} SLOs x 2 environments: ${files} promtool test files, ${shapes} math shapes`,
      line('generate', generate),
      line('test (every environment)', test, `; ${verdict(test.stdout)}`),
      line('one objective changed: test --changed-since HEAD', changed, `; ${scopeLine(changed.stdout)}`),
      line('the same after generate', regenerated, `; ${scopeLine(regenerated.stdout)}`),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => Number.isInteger(x) && x > 0);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
for (const n of sizes.length > 0 ? sizes : [1, 10, 100]) {
  const before = load();
  const lines = await bench(n);
  process.stdout.write(
    `${[...lines, `  (${cpus().length} CPUs, load average ${before} before, ${load()} after)`].join('\n')}\n\n`,
  );
}
