/**
 * Running `promtool test rules` and reading its verdict back onto the generated scenarios.
 * promtool (2.42) prints one block per failed check on stderr: alert checks as
 * `    [name: <test>,\n]    alertname: <alert>, time: <t>, ...`, expression checks as
 * `    expr: "<query>", time: <t>, ...`; a passing file prints `SUCCESS` on stdout.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PackedTest, Scenario } from '../../derive/tests/index.ts';
import { parseDurationMs } from '../../model/units.ts';
import { onExitSync } from '../../runtime/process.ts';

/** Where Debian installs promtool; `promtool` on PATH otherwise. */
export const PROMTOOL_BINARY = existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : 'promtool';

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `promtool test rules <files>` in `cwd`; never throws for a non-zero exit. */
export function promtoolTestRules(
  files: readonly string[],
  cwd: string,
  binary = PROMTOOL_BINARY,
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      ['test', 'rules', ...files],
      // promtool keeps its test storage under TMPDIR: inside our directory, it goes with it even
      // when promtool is killed before it can remove it.
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TMPDIR: cwd } },
      (error, stdout, stderr) => {
        forget();
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    // Not left running when this process is interrupted.
    const forget = onExitSync(() => child.kill('SIGKILL'));
  });
}

/** One failed check as promtool printed it, with what identifies the check when it could be read. */
export interface PromtoolFailure {
  /** `alert:<name>` or `expr:<query>`, and the evaluation time in milliseconds. */
  readonly check?: { readonly key: string; readonly atMs: number };
  /** promtool's text, indentation kept. */
  readonly text: string;
}

const ALERT_CHECK = /^ {4}alertname: (.*?), time: ([^,]+),/m;
const EXPR_CHECK = /^ {4}expr: ("(?:[^"\\]|\\.)*"), time: ([^,]+),/m;
const BLOCK_START = /^ {4}(?:name|alertname|expr): /;

function readCheck(text: string): PromtoolFailure['check'] {
  const alert = ALERT_CHECK.exec(text);
  if (alert) {
    const atMs = parseDurationMs(alert[2] ?? '') ?? 0;
    return { key: `alert:${alert[1]}`, atMs };
  }
  const expr = EXPR_CHECK.exec(text);
  if (expr) {
    try {
      // Go's %q quoting reads back as JSON for the ASCII queries obsgen writes.
      const query = JSON.parse(expr[1] ?? '""') as string;
      return { key: `expr:${query}`, atMs: parseDurationMs(expr[2] ?? '') ?? 0 };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The failed checks in promtool's stderr, in order. */
export function parsePromtoolFailures(stderr: string): PromtoolFailure[] {
  const blocks: string[][] = [];
  let previous = '';
  for (const line of stderr.split('\n')) {
    if (line.trim() === '' || /^\s*FAILED:\s*$/.test(line)) {
      previous = line;
      continue;
    }
    const startsCheck =
      BLOCK_START.test(line) && !(line.startsWith('    alertname: ') && /^ {4}name: /.test(previous));
    if (startsCheck || blocks.length === 0) blocks.push([line]);
    else blocks.at(-1)?.push(line);
    previous = line;
  }
  return blocks.map((lines) => {
    const text = lines.join('\n');
    const check = readCheck(text);
    return check ? { check, text } : { text };
  });
}

/** The checks of a scenario, as promtool identifies them. */
function checksOf(scenario: Scenario): { key: string; atMs: number }[] {
  return [
    ...(scenario.alert_rule_test ?? []).map((t) => ({
      key: `alert:${t.alertname}`,
      atMs: parseDurationMs(t.eval_time) ?? 0,
    })),
    ...(scenario.promql_expr_test ?? []).map((t) => ({
      key: `expr:${t.expr}`,
      atMs: parseDurationMs(t.eval_time) ?? 0,
    })),
  ];
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly passed: boolean;
  /** promtool's messages about this scenario's checks (or about the whole test, when it failed as a whole). */
  readonly messages: readonly string[];
}

/**
 * The verdict of each scenario of one promtool test run on its own: a failed check belongs to the
 * scenario that holds it; a failure promtool does not tie to a check (a rule file that does not
 * load) fails every scenario of the test.
 */
export function scenarioResults(packed: PackedTest, run: ToolRun): ScenarioResult[] {
  if (run.code === 0) return packed.scenarios.map((scenario) => ({ scenario, passed: true, messages: [] }));
  const failures = parsePromtoolFailures(run.stderr);
  const owned = new Map<Scenario, string[]>();
  const unowned: string[] = [];
  for (const failure of failures) {
    const holders = failure.check
      ? packed.scenarios.filter((s) =>
          checksOf(s).some((c) => c.key === failure.check?.key && c.atMs === failure.check.atMs),
        )
      : [];
    if (holders.length === 0) unowned.push(failure.text);
    for (const holder of holders) owned.set(holder, [...(owned.get(holder) ?? []), failure.text]);
  }
  if (owned.size === 0 && unowned.length === 0)
    unowned.push((run.stderr || run.stdout).trim() || `promtool exited with ${run.code}`);
  return packed.scenarios.map((scenario) => {
    const own = owned.get(scenario) ?? [];
    const messages = [...own, ...unowned];
    return { scenario, passed: messages.length === 0, messages };
  });
}
