/** obsgen.config.ts: where a repository keeps its definitions and what `obsgen generate` writes. */

/** The folders `obsgen generate` writes under `outDir`, one per target. */
export const OUTPUT_TARGETS = [
  'prometheus',
  'alertmanager',
  'grafana',
  'kubernetes',
  'tests',
  'runbooks',
] as const;

export type OutputTarget = (typeof OUTPUT_TARGETS)[number];

/** What `defineConfig` takes; every path is relative to the folder holding obsgen.config.ts. */
export interface ObsgenConfigSpec {
  /** Folder of the service definitions (TypeScript, and OpenSLO `*.yaml`). @default 'slos' */
  readonly definitions?: string;
  /** Folder of the alert catalog (`defineAlert`). A missing folder is no catalog alerts. @default 'alerts' */
  readonly alerts?: string;
  /** Folder of the dashboard definitions (`defineDashboards`). A missing folder is none. @default 'dashboards' */
  readonly dashboards?: string;
  /** OpenSLO files or folders read besides the definitions folder's `*.yaml`. @default [] */
  readonly openslo?: readonly string[];
  /**
   * Module whose `environments` export OpenSLO services are generated for (OpenSLO has no
   * environments). @default '<definitions>/environments.ts'
   */
  readonly environments?: string;
  /** Folder `obsgen generate` writes and `--check` compares. @default 'generated' */
  readonly outDir?: string;
  /**
   * Folders of `outDir` that `generate` writes; lint and test still check everything the
   * definitions compile to. @default every target (OUTPUT_TARGETS)
   */
  readonly targets?: readonly OutputTarget[];
}

export type ObsgenConfig = Readonly<ObsgenConfigSpec>;

/** The configuration as written (a typed identity, frozen), for `export default defineConfig({...})`. */
export const defineConfig = (spec: ObsgenConfigSpec): ObsgenConfig =>
  Object.freeze({ ...spec, ...(spec.targets ? { targets: Object.freeze([...spec.targets]) } : {}) });
