/** Documents to file contents: the only place output text is produced. */
import type { Document } from './document.ts';

export type { Document } from './document.ts';

import type { FileTree } from './files.ts';
import { toJson } from './json.ts';
import { toYaml } from './yaml.ts';

export { cacheFolder, pruneCache, readCacheEntry, writeCacheEntry } from './cache.ts';
export type { FileTree, OutputSession, TreeDrift } from './files.ts';
export { checkTree, isDriftFree, openOutput, writeFiles, writeTree } from './files.ts';
export { hashText, hashValue, obsgenFingerprint } from './fingerprint.ts';
export { toYaml, toYamlDocuments } from './yaml.ts';

/** Text of one document. */
export function render(doc: Document): string {
  switch (doc.format) {
    case 'yaml':
      return toYaml(doc.value, doc.sources);
    case 'json':
      return toJson(doc.value);
    case 'text':
      return doc.text;
  }
}

/** Rendered documents by path; two documents for one path is a compiler bug. */
export function renderTree(docs: readonly Document[]): FileTree {
  const tree = new Map<string, string>();
  for (const doc of docs) {
    if (tree.has(doc.path)) throw new Error(`two documents for ${doc.path}`);
    tree.set(doc.path, render(doc));
  }
  return tree;
}
