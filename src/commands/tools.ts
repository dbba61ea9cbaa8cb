/**
 * `obsgen tools`: which of the real tools obsgen runs are installed (lint: promtool, amtool; test:
 * promtool; drill: prometheus, alertmanager; for environments evaluated by vmalert: vmalert,
 * victoria-metrics), their versions, and on Debian or Ubuntu installing the missing ones with
 * apt-get.
 */
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** A tool obsgen runs, the programs that provide it and the Debian package that ships them. */
export interface ToolSpec {
  readonly name: string;
  /** Program names looked up on PATH, in order (Debian names Alertmanager's binary differently). */
  readonly programs: readonly string[];
  readonly debianPackage: string;
  /** Which commands need it. */
  readonly usedBy: string;
  /** Where to get it when there is no apt-get. */
  readonly download: string;
  /**
   * Set for a tool only some projects need (which ones): missing, it fails nothing and
   * `--install` installs it only when named with `--with`. @default required
   */
  readonly optional?: string;
}

export const TOOLS: readonly ToolSpec[] = [
  {
    name: 'promtool',
    programs: ['promtool'],
    debianPackage: 'prometheus',
    usedBy: 'lint, test',
    download: 'https://prometheus.io/download/#prometheus (promtool is in the Prometheus archive)',
  },
  {
    name: 'amtool',
    programs: ['amtool'],
    debianPackage: 'prometheus-alertmanager',
    usedBy: 'lint',
    download: 'https://prometheus.io/download/#alertmanager (amtool is in the Alertmanager archive)',
  },
  {
    name: 'prometheus',
    programs: ['prometheus'],
    debianPackage: 'prometheus',
    usedBy: 'drill',
    download: 'https://prometheus.io/download/#prometheus',
  },
  {
    name: 'alertmanager',
    programs: ['prometheus-alertmanager', 'alertmanager'],
    debianPackage: 'prometheus-alertmanager',
    usedBy: 'drill',
    download: 'https://prometheus.io/download/#alertmanager',
  },
  {
    name: 'vmalert',
    programs: ['vmalert'],
    debianPackage: 'victoria-metrics',
    usedBy: 'lint, drill --engine vmalert',
    download: 'https://github.com/VictoriaMetrics/VictoriaMetrics/releases (vmutils archive)',
    optional: 'environments whose engine is vmalert',
  },
  {
    name: 'victoria-metrics',
    programs: ['victoria-metrics', 'victoria-metrics-prod'],
    debianPackage: 'victoria-metrics',
    usedBy: 'drill --engine vmalert',
    download: 'https://github.com/VictoriaMetrics/VictoriaMetrics/releases (single-node archive)',
    optional: 'environments whose engine is vmalert',
  },
];

export interface ToolStatus {
  readonly tool: ToolSpec;
  /** Absolute path of the program found, or undefined when missing. */
  readonly path?: string;
  /** `2.42.0`, read from `--version`; undefined when missing or unreadable. */
  readonly version?: string;
}

/** The first executable named `program` on `path` (a PATH value), or undefined. */
export async function findProgram(program: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** `2.42.0+ds` from `promtool, version 2.42.0+ds (branch: ...)`. */
export const versionOf = (output: string): string | undefined => /\bversion\s+v?(\S+)/.exec(output)?.[1];

const run = (program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolve) => {
    execFile(program, [...args], { env, timeout: 10_000 }, (_error, stdout, stderr) =>
      resolve(`${stdout}\n${stderr}`),
    );
  });

/**
 * The version of an installed tool: what `--version` prints, else (Debian's VictoriaMetrics
 * binaries are built without one) the version of the Debian package it came from.
 */
async function installedVersion(
  tool: ToolSpec,
  program: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const printed = versionOf(await run(program, ['--version'], env));
  if (printed) return printed;
  const dpkg = await findProgram('dpkg-query', env.PATH ?? '');
  if (!dpkg) return undefined;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
  const text = (await run(dpkg, ['-W', '-f=${Version}', tool.debianPackage], env)).trim();
  return /^\d[\w.+~:-]*$/.test(text) ? text : undefined;
}

/** Each tool: where it is and its version. */
export async function toolStatus(env: NodeJS.ProcessEnv = process.env): Promise<ToolStatus[]> {
  const path = env.PATH ?? '';
  return Promise.all(
    TOOLS.map(async (tool): Promise<ToolStatus> => {
      for (const program of tool.programs) {
        const found = await findProgram(program, path);
        if (!found) continue;
        const version = await installedVersion(tool, found, env);
        return { tool, path: found, ...(version ? { version } : {}) };
      }
      return { tool };
    }),
  );
}

/** Tools missing that a command needs: every required one, and the optional ones named in `include`. */
export const missingTools = (statuses: readonly ToolStatus[], include: readonly string[] = []): ToolSpec[] =>
  statuses.filter((s) => !s.path && (!s.tool.optional || include.includes(s.tool.name))).map((s) => s.tool);

/** One line per tool: `found`/`missing`, version and path, or what provides it. */
export function formatToolStatus(statuses: readonly ToolStatus[]): string {
  const width = Math.max(...statuses.map((s) => s.tool.name.length));
  return statuses
    .map((s) =>
      s.path
        ? `${s.tool.name.padEnd(width)}  found    ${s.version ?? 'version unknown'}  ${s.path}`
        : `${s.tool.name.padEnd(width)}  missing  (obsgen ${s.tool.usedBy}; Debian package ${s.tool.debianPackage}${s.tool.optional ? `; optional, for ${s.tool.optional}: --install --with ${s.tool.name}` : ''})`,
    )
    .join('\n');
}

/** How to install what is missing: apt-get commands, or where to download each tool. */
export type InstallPlan =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'apt'; readonly packages: readonly string[]; readonly commands: readonly string[][] }
  | { readonly kind: 'manual'; readonly lines: readonly string[] };

/**
 * What `--install` does: nothing when every tool needed is there (optional ones only when named in
 * `include`); on a machine with apt-get the Debian
 * packages of the missing tools (through sudo unless root); elsewhere a line per missing tool.
 */
export function installPlan(
  statuses: readonly ToolStatus[],
  machine: { readonly aptGet: boolean; readonly root: boolean },
  include: readonly string[] = [],
): InstallPlan {
  const missing = missingTools(statuses, include);
  if (missing.length === 0) return { kind: 'nothing' };
  if (!machine.aptGet)
    return {
      kind: 'manual',
      lines: missing.map((t) => `${t.name}: ${t.download} (on PATH as ${t.programs.join(' or ')})`),
    };
  const packages = [...new Set(missing.map((t) => t.debianPackage))].sort();
  const sudo = machine.root ? [] : ['sudo'];
  return {
    kind: 'apt',
    packages,
    commands: [
      [...sudo, 'apt-get', 'update', '-qq'],
      [...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
    ],
  };
}

/** Runs an apt plan's commands in order, output passed through; the first failure's command, if any. */
export async function runInstallPlan(
  plan: Extract<InstallPlan, { kind: 'apt' }>,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  for (const [program = '', ...args] of plan.commands) {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(program, args, {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      child.on('error', () => resolve(127));
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) return `${[program, ...args].join(' ')} (exit ${code})`;
  }
  return undefined;
}
