/** JSON with sorted keys and two-space indent: the same object always prints the same bytes. */

/** Whether JSON prints an object from its own keys alone (not a Date, a Map, a class with toJSON). */
const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Adds a key; assigning `__proto__` would set the prototype instead. */
const put = (out: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
};

/** Whether an object's keys are in sorted order (UTF-16 code units, as `sort()`) and none is undefined. */
function isSortedObject(value: Record<string, unknown>, keys: readonly string[]): boolean {
  if (!isPlainObject(value)) return false;
  for (let i = 0; i < keys.length; i++)
    if (value[keys[i] as string] === undefined || (i > 0 && (keys[i - 1] as string) >= (keys[i] as string)))
      return false;
  return true;
}

/**
 * The value with every object's keys sorted and undefined values dropped. What already is (the
 * compiled dashboards are built sorted) is returned as it is, not copied: the Kubernetes target
 * prints every dashboard into its ConfigMap, and the copies were a third of its time.
 */
const sortKeys = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortKeys(value[i]);
      if (copy === undefined && item !== value[i]) copy = value.slice(0, i);
      copy?.push(item);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!isSortedObject(record, keys)) {
    const out: Record<string, unknown> = {};
    for (const key of keys.sort()) if (record[key] !== undefined) put(out, key, sortKeys(record[key]));
    return out;
  }
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const child = sortKeys(record[key]);
    if (copy === undefined && child !== record[key]) {
      copy = {};
      for (const before of keys.slice(0, i)) put(copy, before, record[before]);
    }
    if (copy) put(copy, key, child);
  }
  return copy ?? value;
};

// A dashboard is printed twice: into its Kubernetes ConfigMap (whose size is checked on the text)
// and into generated/grafana. Artifacts are never changed once built, so the text is kept by the
// object's identity and printed once.
const printed = new WeakMap<object, string>();

export const toJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return `${JSON.stringify(value, null, 2)}\n`;
  let text = printed.get(value);
  if (text === undefined) {
    text = `${JSON.stringify(sortKeys(value), null, 2)}\n`;
    printed.set(value, text);
  }
  return text;
};
