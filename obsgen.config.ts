/** Where this repository keeps its definitions and what `obsgen generate` writes: the defaults. */
import { defineConfig } from 'obsgen';

export default defineConfig({
  definitions: 'slos',
  alerts: 'alerts',
  dashboards: 'dashboards',
  openslo: [],
  outDir: 'generated',
  targets: ['prometheus', 'alertmanager', 'grafana', 'kubernetes', 'tests', 'runbooks'],
});
