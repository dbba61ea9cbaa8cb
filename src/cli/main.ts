/** commander wiring only: parse arguments, call the library, print, set the exit code. */
import { Command, CommanderError } from 'commander';
import { explain, formatDiagnostic, formatExplain, generate, loadProject } from '../index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'}; nothing was written.\n`);
}

const program = new Command()
  .name('obsgen')
  .description(
    'Compile typed SLO and alert definitions into Prometheus, Alertmanager, Grafana and Kubernetes files.',
  )
  .option('--root <dir>', 'project root (holds slos/ and generated/)', process.cwd())
  .showHelpAfterError()
  .exitOverride();

program
  .command('generate')
  .description('write generated/ from the definitions (replaces owned files atomically, removes stale ones)')
  .option('--check', 'write nothing; exit 1 and list the files that differ when generated/ is stale')
  .action(async (options: { check?: boolean }) => {
    const { root } = program.opts<{ root: string }>();
    const result = await generate({ root, check: options.check === true });
    if (!result.drift) {
      printDiagnostics(result.diagnostics);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    const { missing, changed, extra } = result.drift;
    const lines = [
      ...missing.map((p) => `${options.check ? 'missing' : 'created'}  generated/${p}`),
      ...changed.map((p) => `${options.check ? 'differs' : 'updated'}  generated/${p}`),
      ...extra.map((p) => `${options.check ? 'stale  ' : 'removed'}  generated/${p}`),
    ];
    const count = result.documents?.length ?? 0;
    if (options.check) {
      if (lines.length > 0) {
        process.stderr.write(
          `generated/ is out of date with the definitions:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
        );
        process.stderr.write('run `npm run generate` and commit the result.\n');
        process.exitCode = EXIT_FINDINGS;
      } else process.stdout.write(`generated/ is up to date (${count} files).\n`);
      return;
    }
    for (const line of lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`${count} files in generated/, ${lines.length} changed.\n`);
  });

program
  .command('explain')
  .description('print the burn-rate windows, thresholds, detection time and budget spent of each SLO')
  .option('--slo <id>', 'only this SLO')
  .option('--json', 'machine-readable output')
  .action(async (options: { slo?: string; json?: boolean }) => {
    const { root } = program.opts<{ root: string }>();
    const { project, diagnostics } = await loadProject({ root });
    if (!project) {
      printDiagnostics(diagnostics);
      process.exitCode = EXIT_FINDINGS;
      return;
    }
    const rows = explain(project, options.slo === undefined ? {} : { slo: options.slo });
    if (rows.length === 0) {
      process.stderr.write(`no SLO with id ${JSON.stringify(options.slo)}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatExplain(rows)}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  } else {
    process.stderr.write(
      `obsgen: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT_USAGE;
  }
}
