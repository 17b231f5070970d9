// Per-tensor / per-channel layout: an element at flat index i of a row-major tensor belongs to channel
// floor(i / inner) % groups, where inner is the product of the dimensions after `axis`.

/** How a flat array splits into channel groups. */
export interface Layout {
  /** The shape actually used (the given one, or `[length]`). */
  readonly shape: readonly number[];
  /** Channel axis (normalised to be non-negative), or null for one group over the whole tensor. */
  readonly axis: number | null;
  /** Number of groups: `shape[axis]`, or 1. */
  readonly groups: number;
  /** Product of the dimensions after `axis` (the run length of one channel), or the whole length. */
  readonly inner: number;
  /** Product of the dimensions before `axis`, or 1. */
  readonly outer: number;
}

/** Validates `shape` and `axis` against `length` and returns the group layout. */
export function resolveLayout(fn: string, length: number, shape: readonly number[] | undefined, axis: number | undefined): Layout {
  const dims = shape ?? [length];
  let product = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${fn}: shape must hold non-negative integers, got [${dims.join(', ')}]`);
    product *= d;
  }
  if (product !== length) {
    throw new RangeError(`${fn}: shape [${dims.join(', ')}] has ${product} elements but x has ${length}`);
  }
  if (axis === undefined) return { shape: dims, axis: null, groups: 1, inner: length, outer: 1 };
  if (!Number.isInteger(axis) || axis < -dims.length || axis >= dims.length) {
    throw new RangeError(`${fn}: axis must be an integer in [${-dims.length}, ${dims.length - 1}] for shape [${dims.join(', ')}], got ${String(axis)}`);
  }
  const a = axis < 0 ? axis + dims.length : axis;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < a; i++) outer *= dims[i]!;
  for (let i = a + 1; i < dims.length; i++) inner *= dims[i]!;
  return { shape: dims, axis: a, groups: dims[a]!, inner, outer };
}

/**
 * Calls `visit(group, start, end)` for every contiguous run of elements that belongs to one group.
 * Per tensor this is a single call; per channel it is `outer × groups` calls.
 */
export function forEachRun(layout: Layout, visit: (group: number, start: number, end: number) => void): void {
  const { groups, inner, outer } = layout;
  let start = 0;
  for (let o = 0; o < outer; o++) {
    for (let g = 0; g < groups; g++) {
      visit(g, start, start + inner);
      start += inner;
    }
  }
}
