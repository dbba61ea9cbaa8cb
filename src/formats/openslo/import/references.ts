/**
 * The objects read together as one set, looked up by kind and name. Names are unique per kind
 * across the set; indicatorRef, alertPolicyRef, conditionRef and targetRef must resolve in it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AttachedPolicy } from './alerts.ts';
import { type FileReport, objectPath, type Path } from './diagnostics.ts';
import type { OpenSloObject, V1Object } from './objects.ts';

export type Lookup = <K extends OpenSloObject['kind']>(
  kind: K,
  name: string,
) => Extract<OpenSloObject, { kind: K }> | undefined;

/** Reports a reference that names no object of the set. */
export type Unresolved = (file: string, path: Path, kind: string, name: string) => void;

export interface ObjectSet {
  /** Every object once: identical copies and differing duplicates left out. */
  readonly objects: readonly OpenSloObject[];
  readonly lookup: Lookup;
  readonly unresolved: Unresolved;
}

const key = (kind: string, name: string): string => `${kind}/${name}`;

/** The set of `objects`; a second, differing object of one kind and name is reported. */
export function objectSet(objects: readonly OpenSloObject[], report: FileReport): ObjectSet {
  // An identical copy (the same Service repeated in each file) is read once; a differing one is
  // an error and is not read further.
  const registry = new Map<string, OpenSloObject>();
  const copies = new Set<OpenSloObject>();
  for (const object of objects) {
    const k = key(object.kind, object.metadata.name);
    const first = registry.get(k);
    if (!first) registry.set(k, object);
    else if (
      isDeepStrictEqual(
        { apiVersion: first.apiVersion, metadata: first.metadata, spec: first.spec },
        { apiVersion: object.apiVersion, metadata: object.metadata, spec: object.spec },
      )
    )
      copies.add(object);
    else {
      copies.add(object);
      report(
        object.file,
        [objectPath(object.index), 'metadata', 'name'],
        'openslo/duplicate',
        `${object.kind} ${JSON.stringify(object.metadata.name)} is also defined, differently, in ${first.file} (${objectPath(first.index)})`,
        'names are unique per kind across the files read together; rename one or remove the copy',
      );
    }
  }
  return {
    objects: objects.filter((o) => !copies.has(o)),
    lookup: <K extends OpenSloObject['kind']>(kind: K, name: string) =>
      registry.get(key(kind, name)) as Extract<OpenSloObject, { kind: K }> | undefined,
    unresolved: (file, path, kind, name) =>
      report(
        file,
        path,
        'openslo/unresolved-reference',
        `${kind} ${JSON.stringify(name)} is referenced but defined in none of the files read`,
        `add the ${kind} object, or pass the file that defines it`,
      ),
  };
}

/** A policy's condition, resolved; checks its notification targets resolve. */
export function policyCondition(
  spec: AttachedPolicy['spec'],
  file: string,
  path: Path,
  set: Pick<ObjectSet, 'lookup' | 'unresolved'>,
): AttachedPolicy['condition'] {
  const { lookup, unresolved } = set;
  for (const [i, target] of spec.notificationTargets.entries())
    if (target.ref !== undefined && !lookup('AlertNotificationTarget', target.ref))
      unresolved(
        file,
        [...path, 'notificationTargets', i, 'targetRef'],
        'AlertNotificationTarget',
        target.ref,
      );
  const item = spec.conditions[0];
  if (!item) return undefined;
  if (item.inline) return { name: item.inline.metadata.name, spec: item.inline.spec };
  const found = lookup('AlertCondition', item.ref);
  if (found?.apiVersion !== 'openslo/v1') {
    unresolved(file, [...path, 'conditions', 0, 'conditionRef'], 'AlertCondition', item.ref);
    return undefined;
  }
  return { name: found.metadata.name, spec: found.spec };
}

/** The alert policies of a v1 SLO, inline or referenced; `resolved` is false when a reference named nothing. */
export function attachedPolicies(
  object: Extract<V1Object, { kind: 'SLO' }>,
  set: ObjectSet,
): { policies: AttachedPolicy[]; resolved: boolean } {
  const at = objectPath(object.index);
  const policies: AttachedPolicy[] = [];
  let resolved = true;
  for (const [i, item] of (object.spec.alertPolicies ?? []).entries()) {
    const path: Path = [at, 'spec', 'alertPolicies', i];
    if (item.inline) {
      const condition = policyCondition(item.inline.spec, object.file, [...path, 'spec'], set);
      policies.push({
        name: item.inline.metadata.name,
        spec: item.inline.spec,
        path,
        ...(condition ? { condition } : {}),
      });
      continue;
    }
    const found = set.lookup('AlertPolicy', item.ref);
    if (found?.apiVersion !== 'openslo/v1') {
      set.unresolved(object.file, [...path, 'alertPolicyRef'], 'AlertPolicy', item.ref);
      resolved = false;
      continue;
    }
    // Its references were checked where it is defined; an unresolved condition leaves it out here.
    const condition = policyCondition(found.spec, found.file, [], {
      lookup: set.lookup,
      unresolved: () => {},
    });
    policies.push({ name: found.metadata.name, spec: found.spec, path, ...(condition ? { condition } : {}) });
  }
  return { policies, resolved };
}
