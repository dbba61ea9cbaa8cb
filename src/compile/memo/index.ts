/**
 * Results kept by the identity of the model objects they are computed from. The resolved model is
 * never changed after validation, so an object stands for its content; weak maps let a project's
 * results go with the project.
 */

/** `f(a, b)` computed once per pair of objects. */
export function byIdentity<A extends object, B extends object, R>(f: (a: A, b: B) => R): (a: A, b: B) => R {
  const cache = new WeakMap<A, WeakMap<B, R>>();
  return (a, b) => {
    let inner = cache.get(a);
    if (!inner) {
      inner = new WeakMap();
      cache.set(a, inner);
    }
    if (!inner.has(b)) inner.set(b, f(a, b));
    return inner.get(b) as R;
  };
}
