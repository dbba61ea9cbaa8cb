/** commander wiring only: parse arguments, call the library, print, set the exit code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { writeFiles } from '../emit/index.ts';
import {
  asOperatorError,
  buildReport,
  DEFAULT_API,
  DRILL_ENGINES,
  type DrillEngine,
  DrillUsageError,
  diff as diffProject,
  explain,
  exportOpenSlo,
  findProgram,
  formatCheckList,
  formatDiagnostic,
  formatDrillPlan,
  formatDrillReport,
  formatDrillStatus,
  formatExplain,
  formatGate,
  formatLint,
  formatProofReport,
  formatToolStatus,
  GateUsageError,
  gateExitCode,
  generate,
  IMPORT_FORMATS,
  type ImportFormat,
  InitConflictError,
  importDefinitions,
  initRepository,
  installPlan,
  LINT_FORMATS,
  type LintFormat,
  lint,
  loadProject,
  loadProjectConfig,
  missingTools,
  OperatorError,
  type ProjectConfig,
  ProjectSetupError,
  ReportUsageError,
  RevisionError,
  renderReportHtml,
  runDrill,
  runGate,
  runInstallPlan,
  scenarioNames,
  TOOLS,
  ToolMissingError,
  testAlerts,
  toolStatus,
  type VersionSelector,
  validateOpenSlo,
  watchGate,
} from '../index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Project } from '../model/resolved.ts';
import { durationSeconds } from '../model/units.ts';
import { MAX_WORKERS, WORKERS_FROM } from '../share-pool.ts';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'}; nothing was written.\n`);
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The repository's configuration, or undefined with its diagnostics printed and exit 1 set. */
async function projectConfig(flags: { openslo?: string[] } = {}): Promise<ProjectConfig | undefined> {
  const { root } = program.opts<{ root: string }>();
  const { config, diagnostics } = await loadProjectConfig(root, {
    openslo: (flags.openslo?.length ?? 0) > 0,
  });
  if (!config) {
    printDiagnostics(diagnostics);
    process.exitCode = EXIT_FINDINGS;
  }
  return config;
}

/** The validated project of the configuration, or undefined with the diagnostics printed and exit 1 set. */
async function validProject(): Promise<Project | undefined> {
  const config = await projectConfig();
  if (!config) return undefined;
  const { project, diagnostics } = await loadProject(config);
  if (!project) {
    printDiagnostics(diagnostics);
    process.exitCode = EXIT_FINDINGS;
  }
  return project;
}

/** Command-line `--openslo` and `--environments` add to and override the configuration. */
const withFlags = (
  config: ProjectConfig,
  flags: { openslo?: string[]; environments?: string },
): ProjectConfig => ({
  ...config,
  openslo: [...config.openslo, ...(flags.openslo ?? []).map((p) => resolve(p))],
  ...(flags.environments ? { environments: resolve(flags.environments) } : {}),
});

const program = new Command()
  .name('obsgen')
  .version(VERSION, '-V, --version', 'print the version of obsgen')
  .description(
    'Compile typed SLO and alert definitions into Prometheus, Alertmanager, Grafana and Kubernetes files.',
  )
  .option('--root <dir>', 'repository root (holds obsgen.config.ts)', process.cwd())
  .showHelpAfterError()
  .exitOverride();

program
  .command('generate')
  .description('write generated/ from the definitions (replaces owned files atomically, removes stale ones)')
  .option('--check', 'write nothing; exit 1 and list the files that differ when generated/ is stale')
  .option('--full', 'build every service, reusing nothing an earlier run cached')
  .option(
    '--workers <n>',
    `threads building services at once (0: none; default: the CPUs, at most ${MAX_WORKERS}, when ${WORKERS_FROM} or more are built)`,
    workerCount,
  )
  .option(
    '--openslo <paths...>',
    'also read these OpenSLO files or directories (slos/*.yaml are always read)',
  )
  .option(
    '--environments <file>',
    'module exporting the environments OpenSLO services get (default slos/environments.ts)',
  )
  .action(
    async (options: {
      check?: boolean;
      full?: boolean;
      workers?: number;
      openslo?: string[];
      environments?: string;
    }) => {
      const config = await projectConfig(options);
      if (!config) return;
      const outDir = config.outDir.replace(/\/$/, '');
      const result = await generate({
        ...withFlags(config, options),
        check: options.check === true,
        incremental: options.full !== true,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
      });
      if (!result.drift) {
        printDiagnostics(result.diagnostics);
        process.exitCode = EXIT_FINDINGS;
        return;
      }
      const { missing, changed, extra } = result.drift;
      const lines = [
        ...missing.map((p) => `${options.check ? 'missing' : 'created'}  ${outDir}/${p}`),
        ...changed.map((p) => `${options.check ? 'differs' : 'updated'}  ${outDir}/${p}`),
        ...extra.map((p) => `${options.check ? 'stale  ' : 'removed'}  ${outDir}/${p}`),
      ];
      const count = result.files ?? 0;
      if (options.check) {
        if (lines.length > 0) {
          process.stderr.write(
            `${outDir}/ is out of date with the definitions:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
          );
          process.stderr.write('run `obsgen generate` and commit the result.\n');
          process.exitCode = EXIT_FINDINGS;
        } else process.stdout.write(`${outDir}/ is up to date (${count} files).\n`);
        return;
      }
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.stdout.write(`${count} files in ${outDir}/, ${lines.length} changed.\n`);
    },
  );

program
  .command('explain')
  .description('print the burn-rate windows, thresholds, detection time and budget spent of each SLO')
  .option('--slo <id>', 'only this SLO (`id`, or `service/id` when two services share the id)')
  .option('--service <name>', 'only the SLOs of this service')
  .option('--env <name>', 'only this environment')
  .option('--json', 'machine-readable output')
  .action(async (options: { slo?: string; service?: string; env?: string; json?: boolean }) => {
    const project = await validProject();
    if (!project) return;
    const rows = explain(project, {
      ...(options.slo === undefined ? {} : { slo: options.slo }),
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    if (rows.length === 0) {
      const asked = [
        options.service === undefined ? '' : `service ${JSON.stringify(options.service)}`,
        options.slo === undefined ? '' : `id ${JSON.stringify(options.slo)}`,
        options.env === undefined ? '' : `environment ${JSON.stringify(options.env)}`,
      ].filter(Boolean);
      process.stderr.write(`no SLO with ${asked.join(', ')}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatExplain(rows)}\n`);
  });

/** The `--workers` count: a whole number from 0. */
function workerCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not a whole number of threads`);
  return n;
}

/** `label=value`, or undefined with a message when malformed. */
function versionSelector(text: string | undefined, flag: string): VersionSelector | undefined | Error {
  if (text === undefined) return undefined;
  const match = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.+)$/.exec(text);
  return match
    ? { label: match[1] as string, value: match[2] as string }
    : new Error(`${flag} must be <label>=<value>, got ${JSON.stringify(text)}`);
}

program
  .command('gate')
  .description(
    'decide from Prometheus whether a new version may stay: exit 0 pass, 1 fail (roll back), 2 cannot decide',
  )
  .requiredOption('--env <name>', 'environment')
  .requiredOption('--prometheus <url>', 'Prometheus base URL')
  .option('--service <name>', 'only this service')
  .option('--slo <ids...>', 'only these SLOs')
  .option('--window <duration>', 'window the SLIs are read over', '2m')
  .option('--version-label <label=value>', "the new version's series")
  .option('--baseline <label=value>', "the old version's series, for the latency comparison")
  .option('--max-degradation <percent>', 'largest accepted p95 increase over the baseline', '20')
  .option('--min-events <n>', 'fewest events in the window to decide on', '100')
  .option('--watch', 'evaluate repeatedly until the window has passed; stop at the first failure')
  .option('--interval <duration>', 'time between evaluations with --watch', '10s')
  .option('--format <format>', 'text or json', 'text')
  .action(
    async (options: {
      env: string;
      prometheus: string;
      service?: string;
      slo?: string[];
      window: string;
      versionLabel?: string;
      baseline?: string;
      maxDegradation: string;
      minEvents: string;
      watch?: boolean;
      interval: string;
      format: string;
    }) => {
      const usage = (message: string) => {
        process.stderr.write(`${message}\n`);
        process.exitCode = EXIT_USAGE;
      };
      const version = versionSelector(options.versionLabel, '--version-label');
      const baseline = versionSelector(options.baseline, '--baseline');
      if (version instanceof Error) return usage(version.message);
      if (baseline instanceof Error) return usage(baseline.message);
      if (options.format !== 'text' && options.format !== 'json')
        return usage('--format must be text or json');
      let windowSeconds: number;
      let intervalSeconds: number;
      try {
        windowSeconds = durationSeconds(options.window);
        intervalSeconds = durationSeconds(options.interval);
      } catch {
        return usage(
          `--window and --interval must be durations like 2m, got ${options.window} and ${options.interval}`,
        );
      }
      const maxDegradation = Number(options.maxDegradation) / 100;
      const minEvents = Number(options.minEvents);
      if (!(maxDegradation >= 0)) return usage('--max-degradation must be a percentage >= 0');
      if (!(Number.isInteger(minEvents) && minEvents > 0))
        return usage('--min-events must be a positive whole number');
      const project = await validProject();
      if (!project) return;
      const gateOptions = {
        prometheus: options.prometheus,
        environment: options.env,
        windowSeconds,
        maxDegradation,
        minEvents,
        ...(options.service === undefined ? {} : { service: options.service }),
        ...(options.slo === undefined ? {} : { slos: options.slo }),
        ...(version === undefined ? {} : { version }),
        ...(baseline === undefined ? {} : { baseline }),
      };
      try {
        const result = options.watch
          ? await watchGate(project, gateOptions, {
              intervalSeconds,
              onResult: (r) => process.stderr.write(`${formatGate(r).split('\n')[0]}\n`),
            })
          : await runGate(project, gateOptions);
        process.stdout.write(
          options.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : `${formatGate(result)}\n`,
        );
        process.exitCode = gateExitCode(result.outcome);
      } catch (error) {
        if (error instanceof GateUsageError) return usage(error.message);
        throw error;
      }
    },
  );

program
  .command('report')
  .description('write one self-contained HTML page of the SLOs of an environment, read from Prometheus')
  .requiredOption('--env <name>', 'environment')
  .requiredOption('--prometheus <url>', 'Prometheus base URL')
  .requiredOption('--out <file>', 'HTML file to write')
  .action(async (options: { env: string; prometheus: string; out: string }) => {
    const project = await validProject();
    if (!project) return;
    try {
      const report = await buildReport(project, { prometheus: options.prometheus, environment: options.env });
      writeFileSync(options.out, renderReportHtml(report));
      process.stdout.write(`wrote ${options.out} (${report.slos.length} SLOs)\n`);
    } catch (error) {
      const message =
        error instanceof ReportUsageError
          ? error.message
          : `cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      process.stderr.write(`${message}\n`);
      process.exitCode = EXIT_USAGE;
    }
  });

program
  .command('test')
  .description('run the generated promtool unit tests with the real promtool; summary per alert')
  .option('--env <names...>', 'only these environments')
  .option('--alert <names...>', 'only the scenarios of these alerts')
  .option('--service <name>', 'only the tests of this service')
  .option('--jobs <n>', 'promtool processes at once (default: the number of CPUs)')
  .option(
    '--changed-since <ref>',
    'only the services and math shapes whose definitions or generated files differ from this git revision',
  )
  .action(
    async (options: {
      env?: string[];
      alert?: string[];
      service?: string;
      jobs?: string;
      changedSince?: string;
    }) => {
      const config = await projectConfig();
      if (!config) return;
      const jobs = options.jobs === undefined ? undefined : Number(options.jobs);
      if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) {
        process.stderr.write(`--jobs must be a positive whole number, got ${JSON.stringify(options.jobs)}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const live = process.stderr.isTTY === true;
      const started = Date.now();
      const result = await testAlerts(config, {
        ...(options.env ? { environments: options.env } : {}),
        ...(options.alert ? { alerts: options.alert } : {}),
        ...(options.service ? { service: options.service } : {}),
        ...(options.changedSince ? { changedSince: options.changedSince } : {}),
        ...(jobs ? { jobs } : {}),
        ...(live
          ? {
              onProgress: (done: number, total: number) => {
                process.stderr.write(`\rpromtool test rules: ${done}/${total} tests done`);
              },
            }
          : {}),
      });
      if (live) process.stderr.write('\r\x1b[K');
      const { report } = result;
      if (result.unknownService !== undefined) {
        process.stderr.write(`no service named ${JSON.stringify(result.unknownService)}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      if (!report) {
        printDiagnostics(result.diagnostics);
        process.exitCode = EXIT_FINDINGS;
        return;
      }
      if (report.unknownEnvironments.length > 0 || report.unknownAlerts.length > 0) {
        for (const e of report.unknownEnvironments)
          process.stderr.write(`no environment named ${JSON.stringify(e)}\n`);
        for (const a of report.unknownAlerts)
          process.stderr.write(`no generated test proves an alert named ${JSON.stringify(a)}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      if (result.scope)
        process.stdout.write(
          result.scope.all
            ? `changed since ${options.changedSince}: files outside the definitions and ${config.outDir}/ changed, so everything runs.\n`
            : `changed since ${options.changedSince}: ${result.scope.services.size} service(s), ${result.scope.shapes.size} math shape(s) to prove again.\n`,
        );
      process.stdout.write(formatProofReport(report));
      process.stdout.write(
        `${result.upToDate ? `${config.outDir}/ is up to date: these are the committed tests.` : `${config.outDir}/ differs from the definitions: these are the tests the definitions generate now (run \`obsgen generate\`).`}\n`,
      );
      process.stdout.write(
        `${report.passed ? 'every scenario passed' : 'some scenarios FAILED'} (${Math.round((Date.now() - started) / 1000)}s).\n`,
      );
      if (!report.passed) process.exitCode = EXIT_FINDINGS;
    },
  );

program
  .command('drill')
  .description(
    'live fire drill: a synthetic service, a real Prometheus (generated rules, time compressed) and Alertmanager (generated routing, receivers to a local sink)',
  )
  .requiredOption('--scenario <name>', `what breaks: ${scenarioNames().join(', ')}`)
  .option('--env <name>', 'environment whose rules and routing run', 'production')
  .option('--service <name>', 'service to drill (default: the first)')
  .option(
    '--engine <engine>',
    'what evaluates the rules: prometheus, or vmalert on VictoriaMetrics (default: vmalert for a vmalert environment, else prometheus)',
  )
  .action(async (options: { scenario: string; env: string; service?: string; engine?: string }) => {
    if (options.engine !== undefined && !(DRILL_ENGINES as readonly string[]).includes(options.engine)) {
      process.stderr.write(
        `obsgen drill: --engine ${options.engine}: drills run ${DRILL_ENGINES.join(' or ')} (Thanos Ruler and Mimir do not install here)\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    const project = await validProject();
    if (!project) return;
    const live = process.stdout.isTTY === true;
    try {
      const report = await runDrill(project, {
        scenario: options.scenario,
        environment: options.env,
        ...(options.service ? { service: options.service } : {}),
        ...(options.engine ? { engine: options.engine as DrillEngine } : {}),
        onStart: (plan) => process.stdout.write(formatDrillPlan(plan)),
        ...(live ? { onStatus: (s) => process.stdout.write(`\r\x1b[K${formatDrillStatus(s)}`) } : {}),
      });
      if (live) process.stdout.write('\r\x1b[K');
      process.stdout.write(formatDrillReport(report));
      if (!report.passed) process.exitCode = EXIT_FINDINGS;
    } catch (error) {
      if (live) process.stdout.write('\r\x1b[K');
      if (!(error instanceof DrillUsageError)) throw error;
      process.stderr.write(`obsgen drill: ${error.message}\n`);
      process.exitCode = EXIT_USAGE;
    }
  });

program
  .command('validate')
  .description('check OpenSLO files (schema, references, conversion into the model) without generating')
  .argument('<paths...>', 'OpenSLO files or directories (*.yaml, *.yml, *.json, searched recursively)')
  .option(
    '--environments <file>',
    'module exporting the environments to check against (default slos/environments.ts)',
  )
  .action(async (paths: string[], options: { environments?: string }) => {
    const config = await projectConfig({ openslo: paths });
    if (!config) return;
    const { openslo: _, ...settings } = withFlags(config, options);
    const result = await validateOpenSlo({ ...settings, paths: paths.map((p) => resolve(p)) });
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const objects = Object.entries(result.objects)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ');
    if (errors > 0) {
      process.stderr.write(`${errors} error${errors === 1 ? '' : 's'} in ${result.files} file(s).\n`);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    process.stdout.write(
      `${result.files} file(s) valid: ${objects || 'no objects'}; ${result.services} service(s), ${result.slos} SLO(s) to generate${result.projectEnvironments ? '' : ' (checked against a single default environment: the project has no environments module)'}.\n`,
    );
  });

program
  .command('import')
  .description(
    'read OpenSLO, Sloth or Pyrra definitions and write them as TypeScript definitions (slos/<service>.ts)',
  )
  .argument('<format>', IMPORT_FORMATS.join(' | '))
  .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json, searched recursively)')
  .requiredOption(
    '--out <dir>',
    'project directory to write slos/ into (slos/environments.ts is kept when present)',
  )
  .option('--api <module>', 'module the written files import the authoring API from', DEFAULT_API)
  .action(async (format: string, paths: string[], options: { out: string; api: string }) => {
    const { root } = program.opts<{ root: string }>();
    if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
      process.stderr.write(
        `unknown import format ${JSON.stringify(format)}; expected ${IMPORT_FORMATS.join(', ')}\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    const out = resolve(options.out);
    const result = await importDefinitions({
      format: format as ImportFormat,
      paths: paths.map((p) => resolve(p)),
      root,
      out,
      api: options.api,
    });
    if (!result.tree) {
      printDiagnostics(result.diagnostics);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    await writeFiles(out, result.tree);
    for (const path of result.tree.keys()) process.stdout.write(`wrote  ${path}\n`);
    process.stdout.write(`${result.services} service(s), ${result.slos} SLO(s) imported.\n`);
  });

program
  .command('export')
  .description('write the definitions in another format (openslo: OpenSLO v1 documents)')
  .argument('<format>', 'openslo')
  .option(
    '--out <dir>',
    'write one <service>.openslo.yaml per service into this directory (default: standard output)',
  )
  .action(async (format: string, options: { out?: string }) => {
    if (format !== 'openslo') {
      process.stderr.write(`unknown export format ${JSON.stringify(format)}; expected openslo\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const project = await validProject();
    if (!project) return;
    const exported = exportOpenSlo(project);
    if (exported.diagnostics.length > 0) {
      printDiagnostics(exported.diagnostics);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    if (options.out === undefined) {
      process.stdout.write([...exported.tree.values()].join('---\n'));
      return;
    }
    const drift = await writeFiles(options.out, exported.tree);
    for (const path of [...exported.tree.keys()]) {
      const state = drift.missing.includes(path)
        ? 'created'
        : drift.changed.includes(path)
          ? 'updated'
          : 'unchanged';
      process.stdout.write(`${state.padEnd(9)} ${options.out.replace(/\/$/, '')}/${path}\n`);
    }
  });

program
  .command('lint')
  .description(
    'check the definitions and everything generated from them (promtool, amtool, conventions, series, routing)',
  )
  .option('--format <format>', `output: ${LINT_FORMATS.join(', ')}`, 'text')
  .option('--list', 'list the checks: what each reads, whether generate runs it, which tool it needs')
  .option(
    '--openslo <paths...>',
    'also read these OpenSLO files or directories (slos/*.yaml are always read)',
  )
  .option(
    '--environments <file>',
    'module exporting the environments OpenSLO services get (default slos/environments.ts)',
  )
  .action(async (options: { format: string; list?: boolean; openslo?: string[]; environments?: string }) => {
    if (options.list) {
      process.stdout.write(`${formatCheckList()}\n`);
      return;
    }
    if (!(LINT_FORMATS as readonly string[]).includes(options.format)) {
      process.stderr.write(
        `unknown format ${JSON.stringify(options.format)}; expected one of ${LINT_FORMATS.join(', ')}\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    const config = await projectConfig(options);
    if (!config) return;
    const result = await lint(withFlags(config, options));
    process.stdout.write(formatLint(result.diagnostics, options.format as LintFormat, result.checks.length));
    process.exitCode = result.diagnostics.length > 0 ? EXIT_FINDINGS : EXIT_OK;
  });

program
  .command('init')
  .description(
    'start a repository of definitions in dir (default: the current folder); never overwrites a file',
  )
  .argument('[dir]', 'folder to write into (created when missing)', '.')
  .action(async (dir: string) => {
    try {
      const result = await initRepository(dir);
      for (const path of result.created) process.stdout.write(`created  ${path}\n`);
      for (const path of result.updated)
        process.stdout.write(`updated  ${path} ("type": "module", obsgen scripts)\n`);
      const cd = resolve(dir) === resolve(process.cwd()) ? '' : `cd ${dir} && `;
      const steps = [
        ...(result.needsInstall ? ['npm install'] : []),
        'npx obsgen tools --install',
        'npx obsgen generate',
        'npx obsgen lint',
        'npx obsgen test',
      ];
      process.stdout.write(`next: ${cd}${steps.join(' && ')}\n`);
    } catch (error) {
      if (!(error instanceof InitConflictError)) throw error;
      process.stderr.write(
        `obsgen init: refusing to overwrite in ${error.dir}: ${error.conflicts.join(', ')}; move them away or pick another folder\n`,
      );
      process.exitCode = EXIT_FINDINGS;
    }
  });

program
  .command('tools')
  .description(
    'report promtool, amtool, prometheus, alertmanager (and the optional vmalert, victoria-metrics): found or missing, version',
  )
  .option(
    '--install',
    'install the missing ones (apt-get on Debian and Ubuntu; elsewhere says what to install)',
  )
  .option(
    '--with <tools>',
    'also require and install these optional tools (comma-separated: vmalert, victoria-metrics)',
    (value: string) =>
      value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    [] as string[],
  )
  .action(async (options: { install?: boolean; with: string[] }) => {
    const optional = TOOLS.filter((t) => t.optional).map((t) => t.name);
    const unknown = options.with.filter((t) => !optional.includes(t));
    if (unknown.length > 0) {
      process.stderr.write(
        `obsgen: --with ${unknown.join(',')}: optional tools are ${optional.join(', ')}\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    const before = await toolStatus(process.env);
    process.stdout.write(`${formatToolStatus(before)}\n`);
    const missing = missingTools(before, options.with).map((t) => t.name);
    if (missing.length === 0) return;
    if (!options.install) {
      process.stderr.write(`obsgen: missing ${missing.join(', ')}: run \`obsgen tools --install\`\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const plan = installPlan(
      before,
      {
        aptGet: (await findProgram('apt-get', process.env.PATH ?? '')) !== undefined,
        root: process.getuid?.() === 0,
      },
      options.with,
    );
    if (plan.kind === 'manual') {
      process.stderr.write(
        `obsgen: no apt-get on this machine; install these and put them on PATH:\n${plan.lines.map((l) => `  ${l}`).join('\n')}\n`,
      );
      process.exitCode = EXIT_USAGE;
      return;
    }
    if (plan.kind === 'apt') {
      process.stdout.write(`installing Debian packages ${plan.packages.join(', ')} with apt-get\n`);
      const failed = await runInstallPlan(plan, process.env);
      if (failed) {
        process.stderr.write(`obsgen: ${failed} failed; install ${plan.packages.join(', ')} yourself\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const after = await toolStatus(process.env);
      process.stdout.write(`${formatToolStatus(after)}\n`);
      if (missingTools(after, options.with).length > 0) process.exitCode = EXIT_USAGE;
    }
  });

program
  .command('diff')
  .description('print, as Markdown for a pull request, what the definitions change in the generated output')
  .option('--base <ref>', 'git revision to compare the working tree with', 'HEAD')
  .option('--service <name>', 'only the changes of this service')
  .option('--env <name>', 'only the changes in this environment')
  .action(async (options: { base: string; service?: string; env?: string }) => {
    const config = await projectConfig();
    if (!config) return;
    const result = await diffProject({
      ...config,
      base: options.base,
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    if (result.markdown === undefined) {
      printDiagnostics(result.diagnostics);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    process.stdout.write(result.markdown);
  });

/**
 * A reader that stops reading (`obsgen lint | head -3`) closes the pipe: the rest of the output is
 * dropped, never a stack trace, and the run ends with its own exit code, so a drift that
 * `generate --check | head` finds still fails a pipeline run with pipefail.
 */
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else if (
    error instanceof ToolMissingError ||
    error instanceof RevisionError ||
    error instanceof ProjectSetupError
  ) {
    process.stderr.write(`obsgen: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (asOperatorError(error) instanceof OperatorError) {
    // The machine's fault, not a bug: one line naming the path or resource, no stack trace.
    process.stderr.write(`obsgen: ${(asOperatorError(error) as OperatorError).message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(
      `obsgen: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT_USAGE;
  }
}
