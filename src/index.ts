/**
 * The library API: the CLI and the tests call these. The stages are in src/pipeline.ts; each
 * command in src/commands is a thin use of them.
 */

export {
  CHECKS,
  type Check,
  formatCheckList,
  formatLint,
  GENERATE_CHECKS,
  LINT_FORMATS,
  type LintFormat,
  ToolMissingError,
} from './checks/index.ts';
export type { Change } from './commands/diff/compare.ts';
export { RevisionError } from './commands/diff/git.ts';
export {
  type DiffOptions,
  type DiffResult,
  diff,
  diffProjects,
  selectChanges,
} from './commands/diff/index.ts';
export { formatDiffMarkdown } from './commands/diff/markdown.ts';
export { DRILL_ENGINES, type DrillEngine } from './commands/drill/engine-delay.ts';
export { formatDrillPlan, formatDrillReport, formatDrillStatus } from './commands/drill/format.ts';
export { type DrillOptions, type DrillReport, DrillUsageError, runDrill } from './commands/drill/run.ts';
export { DRILL_SCENARIOS, scenarioNames } from './commands/drill/scenarios.ts';
export { type ExplainOptions, explain, formatExplain } from './commands/explain.ts';
export {
  formatGate,
  type GateOptions,
  type GateResult,
  GateUsageError,
  gateExitCode,
  runGate,
  type VersionSelector,
  watchGate,
} from './commands/gate.ts';
export {
  IMPORT_ENVIRONMENT,
  IMPORT_FORMATS,
  type ImportDefinitionsResult,
  type ImportFormat,
  importDefinitions,
} from './commands/import.ts';
export { InitConflictError, type InitResult, initRepository } from './commands/init.ts';
export { type LintOptions, type LintResult, lint, lintDocuments } from './commands/lint.ts';
export {
  exportOpenSlo,
  VALIDATION_ENVIRONMENT,
  type ValidateResult,
  validateOpenSlo,
} from './commands/openslo.ts';
export {
  buildReport,
  type Report,
  type ReportOptions,
  ReportUsageError,
  renderReportHtml,
} from './commands/report.ts';
export { type TestResult, testAlerts } from './commands/test/index.ts';
export { formatProofReport, type ProofReport } from './commands/test/prove.ts';
export {
  findProgram,
  formatToolStatus,
  type InstallPlan,
  installPlan,
  missingTools,
  runInstallPlan,
  TOOLS,
  type ToolStatus,
  toolStatus,
} from './commands/tools.ts';
export { DEFAULT_API } from './formats/typescript/index.ts';
export {
  assertEsmPackage,
  CONFIG_FILES,
  loadProjectConfig,
  type ProjectConfig,
  ProjectSetupError,
} from './load/config.ts';
export { defineConfig, type ObsgenConfig, OUTPUT_TARGETS, type OutputTarget } from './model/config.ts';
export type { Diagnostic } from './model/diagnostic.ts';
export { formatDiagnostic } from './model/diagnostic.ts';
export { asOperatorError, OperatorError } from './model/operator-error.ts';
export type { Project, ResolvedAlert, ResolvedService, ResolvedSlo } from './model/resolved.ts';
export {
  type Build,
  build,
  buildTree,
  check,
  compileProject,
  type GenerateOptions,
  type GenerateResult,
  generate,
  type Loaded,
  load,
  loadProject,
  type ProjectOptions,
  selectTargets,
  unknownChecks,
  validate,
} from './pipeline.ts';
