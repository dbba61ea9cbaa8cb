/** A diff as Markdown for a pull-request comment: one table per section, old -> new. */
import type { Change, DiffSection } from './compare.ts';

const TITLES: Readonly<Record<DiffSection, [string, string]>> = {
  slos: ['SLOs', 'SLO'],
  alerts: ['Alerts', 'alert'],
  records: ['Recording rules', 'series'],
  routing: ['Routing', 'alerts or part'],
  dashboards: ['Dashboards', 'dashboard'],
  files: ['Other generated files', 'file'],
};
/** Longest table a section shows before it says how many more rows there are. */
const MAX_ROWS = 40;

/** A table cell: pipes escaped, lines joined with <br>. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', '<br>');

interface Row {
  readonly change: Change;
  readonly envs: string[];
}

/** Changes equal but for the environment become one row naming the environments. */
function mergeEnvironments(changes: readonly Change[]): Row[] {
  const rows = new Map<string, Row>();
  for (const change of changes) {
    const key = JSON.stringify([change.subject, change.kind, change.details]);
    const row = rows.get(key);
    if (row) {
      if (change.env !== undefined) row.envs.push(change.env);
    } else rows.set(key, { change, envs: change.env === undefined ? [] : [change.env] });
  }
  return [...rows.values()];
}

export interface MarkdownOptions {
  /** What the base is (`origin/main`). */
  readonly base: string;
  /** What the head is. @default 'working tree' */
  readonly head?: string;
  /** A note under the title (the base did not build...). */
  readonly notes?: readonly string[];
}

/** The Markdown of a diff. */
export function formatDiffMarkdown(changes: readonly Change[], options: MarkdownOptions): string {
  const lines = [`### obsgen diff: \`${options.base}\` -> ${options.head ?? 'working tree'}`, ''];
  for (const note of options.notes ?? []) lines.push(`> ${note}`, '');
  if (changes.length === 0) {
    lines.push('No change to the generated output.', '');
    return `${lines.join('\n')}`;
  }
  const counts = (Object.keys(TITLES) as DiffSection[])
    .map((s) => [s, mergeEnvironments(changes.filter((c) => c.section === s)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${TITLES[s][0].toLowerCase()}: ${n}`);
  lines.push(`Changed: ${counts.join(', ')}.`, '');
  for (const section of Object.keys(TITLES) as DiffSection[]) {
    const rows = mergeEnvironments(changes.filter((c) => c.section === section));
    if (rows.length === 0) continue;
    const [title, subject] = TITLES[section];
    const withEnv = rows.some((r) => r.envs.length > 0);
    lines.push(`#### ${title}`, '');
    lines.push(withEnv ? `| ${subject} | environments | change |` : `| ${subject} | change |`);
    lines.push(withEnv ? '|---|---|---|' : '|---|---|');
    for (const { change, envs } of rows.slice(0, MAX_ROWS)) {
      const what =
        change.section === 'files'
          ? `${change.kind}: ${change.details.join(', ')}`
          : [change.kind, ...change.details].join('\n');
      const subjectCell = `\`${cell(change.subject)}\``;
      lines.push(
        withEnv
          ? `| ${subjectCell} | ${cell(envs.sort().join(', '))} | ${cell(what)} |`
          : `| ${subjectCell} | ${cell(what)} |`,
      );
    }
    if (rows.length > MAX_ROWS) lines.push('', `and ${rows.length - MAX_ROWS} more.`);
    lines.push('');
  }
  return lines.join('\n');
}
