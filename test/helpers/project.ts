/** A copy of a fixture project in a temporary directory, changed by text edits, for tests that break it. */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './tools.ts';

/** One edit: in `file` (relative to the project), replace `from` (which must occur) by `to`. */
export interface Edit {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

const MODEL = '../../../../src/model/index.ts';

/**
 * Copies test/fixtures/<fixture> into `dir` (its imports of src/ pointed at this repository) and
 * applies the edits; throws when an edit finds nothing to replace, so a test cannot pass by
 * breaking nothing.
 */
export async function copyProject(
  fixture: string,
  dir: string,
  edits: readonly Edit[] = [],
): Promise<string> {
  await cp(join(ROOT, 'test', 'fixtures', fixture), dir, { recursive: true });
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replaceAll(MODEL, join(ROOT, 'src', 'model', 'index.ts')));
  }
  // Definition files are ES modules, as in the repository.
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const edit of edits) {
    const path = join(dir, edit.file);
    const text = await readFile(path, 'utf8');
    if (!text.includes(edit.from)) throw new Error(`${edit.file} has no ${JSON.stringify(edit.from)}`);
    await writeFile(path, text.replace(edit.from, edit.to));
  }
  return dir;
}
