/** `obsgen validate` and `obsgen export openslo`: OpenSLO files checked without generating, and the model out as OpenSLO. */
import { access } from 'node:fs/promises';
import { type FileTree, toYamlDocuments } from '../emit/index.ts';
import { openSloFilePath, toOpenSloDocuments } from '../formats/openslo/export/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from '../formats/openslo/import/index.ts';
import { loadEnvironments } from '../load/index.ts';
import { type Diagnostic, hasErrors } from '../model/diagnostic.ts';
import type { Project } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { environmentsModule, type ProjectOptions } from '../pipeline.ts';
import { validateProject } from '../validate/service.ts';

/**
 * The single environment OpenSLO files are checked against when the project has no environments
 */
export const VALIDATION_ENVIRONMENT: Environment = Object.freeze({
  name: 'default',
  namespace: 'default',
  runbookBaseUrl: 'https://runbooks.invalid',
  grafanaBaseUrl: 'https://grafana.invalid',
});

export interface ValidateResult {
  readonly diagnostics: Diagnostic[];
  readonly files: number;
  /** Valid objects by kind. */
  readonly objects: Readonly<Record<string, number>>;
  /** Services and SLOs the files convert into. */
  readonly services: number;
  readonly slos: number;
  /** Whether the environments came from the project (false: the single `default` environment). */
  readonly projectEnvironments: boolean;
}

/**
 * Checks OpenSLO files without generating: schema, references, conversion into the model and the
 * model's own validation, against the project's environments when it has them.
 */
export async function validateOpenSlo(
  options: Omit<ProjectOptions, 'openslo'> & { readonly paths: readonly string[] },
): Promise<ValidateResult> {
  const found = await findOpenSloFiles(options.root, options.paths);
  const module = environmentsModule(options);
  const present = await access(module).then(
    () => true,
    () => false,
  );
  const env =
    options.environments !== undefined || present
      ? await loadEnvironments(options.root, module)
      : { environments: [VALIDATION_ENVIRONMENT], diagnostics: [] };
  if (!env.environments)
    return {
      diagnostics: env.diagnostics,
      files: 0,
      objects: {},
      services: 0,
      slos: 0,
      projectEnvironments: true,
    };
  const imported = await importOpenSloFiles(options.root, found.files, { environments: env.environments });
  // Files holding no SLO (Services, DataSources, AlertConditions alone) are valid: nothing to generate.
  const validated =
    hasErrors(imported.diagnostics) || imported.services.length === 0
      ? undefined
      : validateProject(imported.services);
  const diagnostics = [...found.diagnostics, ...imported.diagnostics, ...(validated?.diagnostics ?? [])];
  if (found.files.length === 0 && found.diagnostics.length === 0)
    diagnostics.push({
      code: 'openslo/no-files',
      severity: 'error',
      file: options.paths.join(' '),
      path: [],
      message: 'no OpenSLO files (*.yaml, *.yml, *.json) found',
    });
  return {
    diagnostics,
    files: found.files.length,
    objects: imported.objects,
    services: imported.services.length,
    slos: imported.services.reduce((n, s) => n + ((s.value as { slos: unknown[] }).slos?.length ?? 0), 0),
    projectEnvironments: env.environments[0] !== VALIDATION_ENVIRONMENT,
  };
}

/** OpenSLO v1 files of every service, by file name; diagnostics name what OpenSLO cannot express. */
export function exportOpenSlo(project: Project): { tree: FileTree; diagnostics: Diagnostic[] } {
  const tree = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const svc of project.services) {
    const exported = toOpenSloDocuments(svc);
    diagnostics.push(...exported.diagnostics);
    tree.set(openSloFilePath(svc), toYamlDocuments(exported.documents, [svc.file]));
  }
  return { tree, diagnostics };
}
