/** The one PromQL reader (parse.ts, walk.ts over the tree of tree.ts) and writer (render.ts). */
export { durationOf, durationSpans, parsePromql, textNear, unquote } from './parse.ts';
export { fullMatch, labelRegexProblem, regexProblemsOf } from './regex.ts';
export {
  leRegex,
  quote,
  renderSelector,
  scaleDurations,
  selectorMatchers,
  sumBy,
  withLabelMatcher,
} from './render.ts';
export type {
  AggregateNode,
  BinaryNode,
  CallNode,
  DurationSpan,
  Expression,
  Grouping,
  LabelMatcher,
  Matching,
  MatchOp,
  NumberNode,
  OpaqueNode,
  Parsed,
  PromNode,
  PromqlSyntaxError,
  RangeNode,
  SelectorNode,
  Spanned,
  StringNode,
  WrapNode,
} from './tree.ts';
export {
  childrenOf,
  isConstantValued,
  nodesOf,
  type RangeCall,
  rangeCalls,
  selectedMetricNames,
  textOf,
  unwrap,
  walk,
} from './walk.ts';
