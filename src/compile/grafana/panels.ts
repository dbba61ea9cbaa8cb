/** Panel and query builders shared by the dashboards: data source, refIds, units, thresholds. */

import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TableCellHeight,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizOrientation,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Threshold,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DataqueryBuilder,
  PromQueryFormat,
  QueryEditorMode,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { DASHBOARD_VARIABLE } from '../../conventions.ts';
import type { NumberedPanel } from './plan.ts';

/** Every panel and query reads the data source the `datasource` variable selects. */
export const DATASOURCE = { type: 'prometheus', uid: `\${${DASHBOARD_VARIABLE.datasource}}` } as const;

/** One query of a panel; its refId is its position (A, B, ...). */
export interface Query {
  readonly expr: string;
  /** Series name template. @default '__auto' */
  readonly legend?: string;
  /** Only the latest value (stat, bar gauge, table). @default false */
  readonly instant?: boolean;
  /** Table rows instead of series. @default false */
  readonly table?: boolean;
}

/** refId of the query at `index`: A..Z, then A1, B1... (never more than a handful here). */
export const refId = (index: number): string =>
  `${String.fromCharCode(65 + (index % 26))}${index >= 26 ? Math.floor(index / 26) : ''}`;

function target(query: Query, index: number): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .refId(refId(index))
    .datasource(DATASOURCE)
    .editorMode(QueryEditorMode.Code)
    .expr(query.expr)
    .legendFormat(query.legend ?? '__auto');
  if (query.table) builder.format(PromQueryFormat.Table);
  return query.instant ? builder.instant() : builder.range();
}

/** Common look of every panel. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  /** Grafana unit id. @default 'short' */
  readonly unit?: string;
  /** Threshold steps above the base color: `[{ value: 0.999, color: 'green' }]`. */
  readonly thresholds?: readonly Threshold[];
  /** Color below the first step. @default 'green' */
  readonly base?: string;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Grid width (of 24) and height. */
  readonly width: number;
  readonly height: number;
}

const thresholds = (spec: PanelSpec): ThresholdsConfigBuilder =>
  new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: spec.base ?? 'green' }, ...(spec.thresholds ?? [])]);

function common<
  B extends NumberedPanel & {
    title(t: string): B;
    description(d: string): B;
    datasource(d: typeof DATASOURCE): B;
    withTarget(t: DataqueryBuilder): B;
    unit(u: string): B;
    thresholds(t: ThresholdsConfigBuilder): B;
    min(n: number): B;
    max(n: number): B;
    decimals(n: number): B;
    span(n: number): B;
    height(n: number): B;
  },
>(builder: B, spec: PanelSpec): B {
  builder
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit ?? 'short')
    .thresholds(thresholds(spec))
    .span(spec.width)
    .height(spec.height);
  spec.queries.forEach((q, i) => {
    builder.withTarget(target(q, i));
  });
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  return builder;
}

/** Lines over time; thresholds are drawn as dashed lines. */
export const timeseries = (spec: PanelSpec) =>
  common(new TimeseriesPanel(), spec)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(VisibilityMode.Never)
    .spanNulls(false)
    .thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(
        spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off,
      ),
    )
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));

const lastValue = () => new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

/** One big number per series, colored by the thresholds. */
export const stat = (spec: PanelSpec) =>
  common(new StatPanel(), spec)
    .reduceOptions(lastValue())
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Value)
    .justifyMode(BigValueJustifyMode.Auto)
    .textMode(BigValueTextMode.ValueAndName)
    .orientation(VizOrientation.Auto)
    .showPercentChange(false)
    .wideLayout(true);

/** Rows of an instant table query. */
export const table = (spec: PanelSpec) =>
  common(new TablePanel(), spec).showHeader(true).cellHeight(TableCellHeight.Sm);
