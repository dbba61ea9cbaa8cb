/** Writes `detectionTable()` into README.md between its markers (`npm run docs:table`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectionTable } from '../../src/commands/explain.ts';
import { ROOT } from './tools.ts';

const path = join(ROOT, 'README.md');
const text = readFileSync(path, 'utf8');
const next = text.replace(
  /(<!-- detection-table:start -->\n)[\s\S]*?(\n<!-- detection-table:end -->)/,
  (_, start: string, end: string) => `${start}${detectionTable()}${end}`,
);
writeFileSync(path, next);
