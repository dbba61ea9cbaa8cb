/**
 * Binds each zod schema to the authoring interface it checks, so that the two cannot drift: a
 * field added to, removed from or retyped in one of them and not the other is a compile error
 * naming the field. The interfaces stay the documented public types; the schemas stay the runtime
 * checks whose messages users read.
 */
import { z } from 'zod';
import type { Duration } from '../model/units.ts';

/**
 * The comparable core of a type: every field readonly, arrays readonly, `undefined` dropped from
 * optional fields (zod's `.optional()` adds it; `exactOptionalPropertyTypes` interfaces do not).
 * Which fields exist, which are optional and what they hold still counts.
 */
export type Normalized<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly Normalized<E>[]
    : T extends object
      ? { readonly [K in keyof T]: Normalized<Exclude<T[K], undefined>> }
      : T;

/** Identity, not mutual assignability: an optional field on one side only makes them differ. */
export type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** Fields present on one side only, or typed differently. */
type Differing<S, I> =
  | Exclude<keyof S, keyof I>
  | Exclude<keyof I, keyof S>
  | { [K in keyof S & keyof I]-?: Same<S[K], I[K]> extends true ? never : K }[keyof S & keyof I];

type Matches<S, I> =
  Same<Normalized<S>, Normalized<I>> extends true
    ? unknown
    : { readonly 'schema and interface differ in': Differing<Normalized<S>, Normalized<I>> & {} };

/**
 * `shapeOf<RatioSli>()(z.strictObject({...}))` returns the schema unchanged and fails to compile
 * unless what the schema accepts (`z.input`) is exactly the interface `I`, up to `Normalized`.
 * The error names the differing fields: `'schema and interface differ in': "runbookUrl"`.
 */
export function shapeOf<I>() {
  return <S extends z.ZodType>(schema: S & Matches<z.input<S>, I>): S => schema;
}

/**
 * A field whose schema deliberately accepts more than its interface type `T` because a later check
 * validates it (and names the problem better than a shape error would): another validator, the
 * metric contract, duration parsing. The binding then compares the field as `T`. Compile error
 * when the schema would reject a value of `T`.
 */
export function checkedElsewhere<T>() {
  return <S extends z.ZodType>(
    schema: S &
      ([Normalized<T>] extends [Normalized<z.input<S>>]
        ? unknown
        : { readonly 'schema rejects values of the interface type': T }),
  ): z.ZodType<T, T> => schema as unknown as z.ZodType<T, T>;
}

/** Any text here: the checks after the schema parse durations and say what is wrong with one. */
export const duration = checkedElsewhere<Duration>()(z.string());
