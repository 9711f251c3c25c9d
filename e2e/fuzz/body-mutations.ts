import fc from 'fast-check';
import { HOSTILE_KEYS, hostileValue, ownProperty, RawJson, valueForKey } from './hostile-values';

/**
 * Mutations of a route's documented example: a field's value swapped, removed, or joined by a hostile field, at
 * any depth of the example. One to three of them per case, so that a body can be wrong in several ways at once.
 */

type Segment = string | number;
type JsonPath = Segment[];

export type Mutation =
  | { op: 'replace'; path: JsonPath; value: unknown }
  | { op: 'remove'; path: JsonPath }
  | { op: 'add'; path: JsonPath; key: string; value: unknown }
  | { op: 'wrap'; path: JsonPath; as: 'array' | 'object' };

/** Every path of `value`, the root included. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

const containerPaths = (value: unknown) => pathsOf(value).filter((path) => isContainer(at(value, path)));
const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] => value !== null && typeof value === 'object' && !(value instanceof RawJson);

function at(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, segment) => (isContainer(node) ? (node as Record<Segment, unknown>)[segment] : undefined), value);
}

export function mutationArbitrary(example: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(example);
  const inner = paths.filter((path) => path.length > 0);
  const containers = containerPaths(example);
  const options: Array<fc.WeightedArbitrary<Mutation>> = [
    { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), path: fc.constantFrom(...paths), value: hostileValue() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('wrap' as const), path: fc.constantFrom(...paths), as: fc.constantFrom('array' as const, 'object' as const) }) },
  ];
  if (inner.length) options.push({ weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), path: fc.constantFrom(...inner) }) });
  if (containers.length) {
    const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 }));
    options.push({
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...containers), key).chain(([path, k]) => valueForKey(k).map((value) => ({ op: 'add' as const, path, key: k, value }))),
    });
  }
  return fc.oneof(...options);
}

/** `example` with `mutations` applied, in order; the example itself is left as it was. */
export function applyMutations(example: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(example);
  for (const mutation of mutations) root = apply(root, mutation);
  return root;
}

function apply(root: unknown, mutation: Mutation): unknown {
  const change = (node: unknown): unknown => {
    switch (mutation.op) {
      case 'replace':
        return mutation.value;
      case 'wrap':
        return mutation.as === 'array' ? [node] : { value: node };
      case 'add': {
        if (Array.isArray(node)) return [...node, mutation.value];
        if (!isContainer(node)) return node;
        const copy = { ...(node as Record<string, unknown>) };
        ownProperty(copy, mutation.key, mutation.value);
        return copy;
      }
      case 'remove':
        return node;
    }
  };
  const { path } = mutation;
  if (path.length === 0) return mutation.op === 'remove' ? root : change(root);
  const parent = at(root, path.slice(0, -1));
  if (!isContainer(parent)) return root;
  const last = path[path.length - 1];
  if (mutation.op === 'remove') {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete (parent as Record<Segment, unknown>)[last];
    return root;
  }
  if (!(last in parent)) return root;
  (parent as Record<Segment, unknown>)[last] = change((parent as Record<Segment, unknown>)[last]);
  return root;
}

/**
 * JSON text of `value`, with each RawJson written as it is. `JSON.stringify` escapes lone surrogates (`"\ud800"`),
 * which is exactly what a client sends.
 */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof RawJson) {
      raws.push(item.text);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return item;
  });
  if (text === undefined) return 'null';
  return raws.length ? text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]) : text;
}

/** Form fields (the form routes): every value as text, nested values as their JSON. */
export function toFormText(value: unknown): string {
  const form = new URLSearchParams();
  if (isContainer(value) && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) form.append(safeText(key), safeText(typeof item === 'string' ? item : toJsonText(item)));
  } else form.append('value', safeText(toJsonText(value)));
  return form.toString();
}

/** URLSearchParams would replace a lone surrogate with U+FFFD anyway; doing it here keeps the signature honest. */
const safeText = (text: string) => text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
