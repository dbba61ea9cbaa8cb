/** OpenSLO files into the model: find, read, validate, resolve, convert. */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import { type ImportOptions, type ImportResult, importObjects } from './convert.ts';
import { type RawObject, readOpenSloFile } from './read.ts';

export type { ImportOptions, ImportResult } from './convert.ts';
export { importObjects } from './convert.ts';
export { MAX_ALIAS_COUNT, MAX_FILE_BYTES, parseOpenSloText, type RawObject } from './read.ts';

/** File names read when a directory is given. */
export const OPENSLO_FILE = /\.(ya?ml|json)$/;

const shown = (root: string, file: string): string => relative(root, file).split(sep).join('/');

/** OpenSLO files named by `paths` (files, or directories searched recursively), sorted, deduplicated. */
export async function findOpenSloFiles(
  root: string,
  paths: readonly string[],
  pattern: RegExp = OPENSLO_FILE,
): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    const absolute = isAbsolute(path) ? path : resolve(root, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      diagnostics.push({
        code: 'openslo/read',
        severity: 'error',
        file: shown(root, absolute),
        path: [],
        message: 'no such file or directory',
      });
      continue;
    }
    if (info.isFile()) {
      files.add(absolute);
      continue;
    }
    const entries = await readdir(absolute, { withFileTypes: true, recursive: true });
    for (const e of entries) if (e.isFile() && pattern.test(e.name)) files.add(join(e.parentPath, e.name));
  }
  return { files: [...files].sort(), diagnostics };
}

/** Reads every file and converts the objects of all of them as one set. */
export async function importOpenSloFiles(
  root: string,
  files: readonly string[],
  options: ImportOptions,
): Promise<ImportResult & { readonly files: number }> {
  const raws: RawObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const read = await readOpenSloFile(file, shown(root, file));
    raws.push(...read.objects);
    diagnostics.push(...read.diagnostics);
  }
  const result = importObjects(raws, options);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics], files: files.length };
}
