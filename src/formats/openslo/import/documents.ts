/**
 * Reads OpenSLO files: YAML 1.2 core schema (JSON is YAML), several documents per file, a document
 * either one object or a list of objects (the go-sdk reads both). Oversized files and alias bombs
 * are refused before they can exhaust memory or time.
 */
import { readFile, stat } from 'node:fs/promises';
import YAML from 'yaml';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import { diagnostic } from './diagnostics.ts';

/** Largest OpenSLO file read, bytes. A thousand SLOs fit in far less. */
export const MAX_FILE_BYTES = 1024 * 1024;
/**
 * Largest number of alias expansions per document (the `yaml` package weighs each alias by the
 * size of what it repeats). Hand-written OpenSLO rarely uses aliases at all; a billion-laughs
 * document exceeds this after a few levels instead of expanding to gigabytes.
 */
export const MAX_ALIAS_COUNT = 50;

/** One OpenSLO object as read, before validation. */
export interface RawObject {
  /** Project-relative file, as diagnostics print it. */
  readonly file: string;
  /** Position of the object in its file, counting every document and every item of a top-level list, from 0. */
  readonly index: number;
  readonly value: unknown;
}

/** The objects of YAML text; `file` is only used in messages. */
export function parseOpenSloText(
  text: string,
  file: string,
): { objects: RawObject[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const objects: RawObject[] = [];
  const lineCounter = new YAML.LineCounter();
  const docs = YAML.parseAllDocuments(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: true,
    lineCounter,
  });
  if (!Array.isArray(docs)) return { objects, diagnostics };
  let index = 0;
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      for (const problem of problems)
        diagnostics.push(
          diagnostic(
            file,
            [],
            'openslo/yaml',
            `YAML: ${problem.message.split('\n')[0]?.replace(/:$/, '') ?? problem.code}`,
          ),
        );
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const line = doc.range ? lineCounter.linePos(doc.range[0]).line : 1;
      diagnostics.push(
        diagnostic(
          file,
          [],
          'openslo/alias-limit',
          `YAML document starting at line ${line} expands its aliases more than ${MAX_ALIAS_COUNT} times: ${error instanceof Error ? error.message : String(error)}`,
          'write the repeated values out; aliases that multiply are refused',
        ),
      );
      continue;
    }
    if (value === null || value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) objects.push({ file, index: index++, value: item });
  }
  return { objects, diagnostics };
}

/** Reads and parses one file; a missing, unreadable or oversized file is a diagnostic. */
export async function readOpenSloFile(
  path: string,
  file: string,
): Promise<{ objects: RawObject[]; diagnostics: Diagnostic[] }> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      objects: [],
      diagnostics: [diagnostic(file, [], 'openslo/read', `cannot read: ${code ?? String(error)}`)],
    };
  }
  if (size > MAX_FILE_BYTES)
    return {
      objects: [],
      diagnostics: [
        diagnostic(
          file,
          [],
          'openslo/too-large',
          `file is ${size} bytes; OpenSLO files larger than ${MAX_FILE_BYTES} bytes are refused`,
          'split the definitions into several files',
        ),
      ],
    };
  const text = await readFile(path, 'utf8');
  return parseOpenSloText(text, file);
}
