/** What the compile and derive stages hand to the emitter: one file's content before serialization. */
export type Document =
  | {
      readonly path: string;
      readonly format: 'yaml';
      readonly value: unknown;
      readonly sources: readonly string[];
    }
  | { readonly path: string; readonly format: 'json'; readonly value: unknown }
  | { readonly path: string; readonly format: 'text'; readonly text: string };
