/**
 * Every generated alert carries a `dashboard_url` that opens a generated dashboard of its
 * environment on an existing panel (`/d/<uid>?...&viewPanel=<id>`).
 */
import type { Document } from '../emit/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

interface AlertLike {
  readonly alert: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

const alertsOf = (value: unknown): AlertLike[] => {
  const groups = (value as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((g) =>
    ((g as { rules?: unknown[] }).rules ?? []).filter(
      (r): r is AlertLike => typeof (r as { alert?: unknown }).alert === 'string',
    ),
  );
};

/** Panel ids by dashboard uid, per environment directory of generated/grafana. */
function dashboardPanels(documents: readonly Document[]): Map<string, Map<string, Set<number>>> {
  const byEnv = new Map<string, Map<string, Set<number>>>();
  for (const doc of documents) {
    const match = /^grafana\/([^/]+)\/[^/]+\.json$/.exec(doc.path);
    if (!match || doc.format !== 'json') continue;
    const dash = doc.value as { uid?: string; panels?: { id?: number; type?: string }[] };
    const ids = new Set((dash.panels ?? []).filter((p) => p.type !== 'row').map((p) => p.id ?? -1));
    const env = match[1] ?? '';
    const uids = byEnv.get(env) ?? new Map<string, Set<number>>();
    uids.set(dash.uid ?? '', ids);
    byEnv.set(env, uids);
  }
  return byEnv;
}

/**
 * Alerts whose `dashboard_url` is missing or points at no generated dashboard panel. `fileOf`
 * names the definition file of an alert (default: the rule file's first source).
 */
export function lintDashboardLinks(
  documents: readonly Document[],
  fileOf: (alert: string) => string | undefined = () => undefined,
): Diagnostic[] {
  const panels = dashboardPanels(documents);
  const diagnostics: Diagnostic[] = [];
  for (const doc of documents) {
    const env = /^prometheus\/([^/]+)\//.exec(doc.path)?.[1];
    if (doc.format !== 'yaml' || env === undefined) continue;
    for (const alert of alertsOf(doc.value)) {
      const file = fileOf(alert.alert) ?? doc.sources[0] ?? doc.path;
      const report = (message: string) =>
        diagnostics.push({
          code: 'alerts/dashboard-url',
          severity: 'error',
          file,
          path: [env, alert.alert, 'annotations', 'dashboard_url'],
          message,
          hint: "dashboard links are generated from the alert's `dashboard` and `panel`: name a dashboard and panel the dashboard definitions have",
        });
      const url = alert.annotations?.dashboard_url;
      if (url === undefined) {
        report('the alert has no dashboard_url');
        continue;
      }
      const parsed = /\/d\/([^/?#]+)[^?#]*\?([^#]*)/.exec(url);
      const uid = parsed?.[1] ?? '';
      const viewPanel = Number(new URLSearchParams(parsed?.[2] ?? '').get('viewPanel'));
      const ids = panels.get(env)?.get(uid);
      if (!ids) report(`${url} names no generated dashboard of ${env} (uid ${JSON.stringify(uid)})`);
      else if (!ids.has(viewPanel)) report(`${url} names no panel of dashboard ${uid} (viewPanel)`);
    }
  }
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.path, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
