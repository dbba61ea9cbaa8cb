/**
 * The workflow `obsgen init` writes: the checks on pull requests and pushes, the deploy gate after
 * a successful deployment, the SLO report on a schedule; every obsgen command and option it calls
 * exists.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT } from './helpers/tools.ts';

const exec = promisify(execFile);

interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, { readonly if?: string; readonly steps: Step[] }>;
}

const workflow = async (): Promise<Workflow> =>
  YAML.parse(
    await readFile(join(ROOT, 'templates', 'init', '_github', 'workflows', 'observability.yml'), 'utf8'),
  ) as Workflow;

describe('the workflow obsgen init writes', () => {
  it('gates a successful deployment and publishes the report on a schedule', async () => {
    const w = await workflow();
    expect(Object.keys(w.on).sort()).toEqual(['deployment_status', 'pull_request', 'push', 'schedule']);
    expect(w.jobs.gate?.if).toContain("deployment_status.state == 'success'");
    const gate = w.jobs.gate?.steps.map((s) => s.run ?? '').join('\n') ?? '';
    expect(gate).toMatch(/npx obsgen gate --env .*--watch/s);
    expect(w.jobs.report?.if).toBe("github.event_name == 'schedule'");
    const upload = w.jobs.report?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with).toEqual({ name: 'slo-report', path: 'slo-report.html' });
    // The checks do not run on the deployment or the schedule.
    expect(w.jobs.obsgen?.if).not.toContain('schedule');
  });

  it('calls only obsgen commands and options that exist', async () => {
    const w = await workflow();
    const runs = Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const calls = runs.flatMap((run) =>
      [...run.matchAll(/npx obsgen ([a-z]+)((?:[^\n]|\n(?! *npx))*)/g)].map((m) => ({
        command: m[1] as string,
        options: [...(m[2] ?? '').matchAll(/--[a-z-]+/g)].map((o) => o[0]),
      })),
    );
    expect(calls.map((c) => c.command)).toEqual(expect.arrayContaining(['gate', 'report']));
    for (const { command, options } of calls) {
      const { stdout } = await exec(process.execPath, [
        join(ROOT, 'src', 'cli', 'bin.js'),
        command,
        '--help',
      ]);
      for (const option of options) expect(stdout, `${command} ${option}`).toContain(option);
    }
  }, 60_000);
});
