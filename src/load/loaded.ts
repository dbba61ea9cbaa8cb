/** What the load stage hands to validation: every definition as found, with where it was found. */

/** A value exported by a definition file, before validation. */
export interface LoadedDefinition {
  /** Project-relative path of the file, as diagnostics print it. */
  readonly file: string;
  /** Export it came from (`critical[2]` for the third item of an exported array). */
  readonly exportName: string;
  readonly value: unknown;
}

/** A service definition (`defineService`) as found. */
export type LoadedService = LoadedDefinition;
/** A catalog alert (`defineAlert`) as found. */
export type LoadedAlert = LoadedDefinition;
/** Any other object a definition file exports (environments, routing), for naming its file. */
export type LoadedExport = LoadedDefinition;
