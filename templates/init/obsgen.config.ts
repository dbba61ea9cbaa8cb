/** Where this repository keeps its definitions and what `obsgen generate` writes. */
import { defineConfig } from 'obsgen';

export default defineConfig({
  definitions: 'slos',
  alerts: 'alerts',
  dashboards: 'dashboards',
  outDir: 'generated',
});
