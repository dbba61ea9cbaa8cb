/** Reads the OpenSLO corpus the way its sources judged it: per file, or per set where they did. */
import { join, relative, sep } from 'node:path';
import { readOpenSloFile } from '../../src/formats/openslo/import/documents.ts';
import { findOpenSloFiles, importObjects, type RawObject } from '../../src/formats/openslo/import/index.ts';
import type { LoadedService } from '../../src/load/loaded.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import type { Environment } from '../../src/model/service.ts';

export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'openslo-corpus');

/** Files read together, with the context file that defines what they reference but do not contain. */
export interface CorpusGroup {
  readonly files: readonly string[];
  readonly context?: string;
}

const rel = (file: string): string => relative(CORPUS, file).split(sep).join('/');

/**
 * The schema-test files one by one (the schema judged one document at a time), each with the
 * objects it references; the go-sdk examples as one set; every other file on its own.
 */
export async function corpusGroups(): Promise<CorpusGroup[]> {
  const { files } = await findOpenSloFiles(CORPUS, ['go-sdk', 'openslo-schema-test', 'oslo']);
  const groups: CorpusGroup[] = [];
  const examples = files.map(rel).filter((f) => f.startsWith('go-sdk/v1-examples/'));
  groups.push({ files: examples, context: 'context/go-sdk-v1-examples.yaml' });
  for (const file of files.map(rel)) {
    if (file.startsWith('go-sdk/v1-examples/')) continue;
    groups.push(
      file.startsWith('openslo-schema-test/v1/')
        ? { files: [file], context: 'context/schema-test.yaml' }
        : { files: [file] },
    );
  }
  return groups;
}

export interface GroupResult {
  readonly diagnostics: Diagnostic[];
  readonly services: LoadedService[];
}

const identity = (raw: RawObject): string => {
  const v = raw.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return `${String(v?.kind)}/${String(v?.metadata?.name)}`;
};

/** Reads a group; the context supplies only objects the group's files do not define themselves. */
export async function readGroup(
  group: CorpusGroup,
  environments: readonly Environment[],
): Promise<GroupResult> {
  const raws: RawObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of group.files) {
    const read = await readOpenSloFile(join(CORPUS, file), file);
    raws.push(...read.objects);
    diagnostics.push(...read.diagnostics);
  }
  if (group.context) {
    const defined = new Set(raws.map(identity));
    const context = await readOpenSloFile(join(CORPUS, group.context), group.context);
    raws.push(...context.objects.filter((raw) => !defined.has(identity(raw))));
    diagnostics.push(...context.diagnostics);
  }
  const result = importObjects(raws, { environments });
  return { diagnostics: [...diagnostics, ...result.diagnostics], services: result.services };
}

/** `imports` or `refused`, and the sorted distinct codes of the file's errors. */
export function outcomeOf(
  file: string,
  diagnostics: readonly Diagnostic[],
): { outcome: string; codes: string } {
  const codes = [
    ...new Set(diagnostics.filter((d) => d.file === file && d.severity === 'error').map((d) => d.code)),
  ].sort();
  return { outcome: codes.length === 0 ? 'imports' : 'refused', codes: codes.join(',') || '-' };
}
