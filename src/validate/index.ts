/**
 * The validate stage: loaded definitions in, diagnostics or the resolved model out. Services first
 * (validateProject), then what refers to them: the alert catalog, dashboards, alert routing and
 * the Kubernetes settings of each environment.
 */
export type { LoadedAlert, LoadedExport, LoadedService } from '../load/loaded.ts';
export { validateAlerts } from './alerts.ts';
export { validateDashboards } from './dashboards.ts';
export { validateKubernetes } from './kubernetes.ts';
export { originOf, validateRouting } from './routing.ts';
export { validateProject, validateService } from './service.ts';
