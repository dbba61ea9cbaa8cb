/** Which files an OpenSLO import reads: the files named, and the OpenSLO files under the directories named. */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import { diagnostic } from './diagnostics.ts';

/** File names read when a directory is given. */
export const OPENSLO_FILE = /\.(ya?ml|json)$/;

/** A file as diagnostics print it: relative to the project root, with forward slashes. */
export const shownPath = (root: string, file: string): string => relative(root, file).split(sep).join('/');

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
      diagnostics.push(
        diagnostic(shownPath(root, absolute), [], 'openslo/read', 'no such file or directory'),
      );
      continue;
    }
    if (info.isFile()) {
      files.add(absolute);
      continue;
    }
    // A device or a pipe would block or read nothing: named, not read.
    if (!info.isDirectory()) {
      diagnostics.push(
        diagnostic(shownPath(root, absolute), [], 'openslo/read', 'not a regular file or a directory'),
      );
      continue;
    }
    const entries = await readdir(absolute, { withFileTypes: true, recursive: true });
    for (const e of entries) if (e.isFile() && pattern.test(e.name)) files.add(join(e.parentPath, e.name));
  }
  return { files: [...files].sort(), diagnostics };
}
