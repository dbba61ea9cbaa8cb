import type { Indicator, SliContext, SliResult } from './indicator.ts';
import { rawFromIndicator } from './raw-sli.ts';
import { typedFromIndicator } from './typed-sli.ts';

/** The model SLI of an indicator in an SLO: the typed SLI its queries spell, else a raw one. */
export function sliFromIndicator(indicator: Indicator, ctx: SliContext): SliResult {
  const typed = typedFromIndicator(indicator, ctx);
  return typed ? { sli: typed } : rawFromIndicator(indicator, ctx);
}
