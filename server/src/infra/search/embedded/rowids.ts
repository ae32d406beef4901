// Lists of rowids: FTS5 hands matches over as group_concat strings (about 0.1 µs per match, far
// cheaper than a row per match), intersected and ordered here.

/** Parses SQLite's group_concat of integer rowids ("3,17,42") without creating strings. */
let parseBuffer = new Int32Array(1024);

export function parseRowids(list: string | null | undefined): Int32Array {
  if (!list) return new Int32Array(0);
  // one pass into a reused buffer (n rowids take at least 2n - 1 characters), then one copy of
  // the exact size
  const room = (list.length + 1) >> 1;
  if (parseBuffer.length < room) parseBuffer = new Int32Array(Math.max(room, parseBuffer.length * 2));
  const out = parseBuffer;
  let k = 0;
  let v = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else {
      v = v * 10 + (c - 48);
    }
  }
  out[k++] = v;
  return out.slice(0, k);
}

/** Intersection of ascending rowid lists. */
export function intersectSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length && j < b.length; i++) {
    const v = a[i]!;
    if (b[j]! < v) {
      // gallop: the longer list is often much longer
      let step = 1;
      let hi = j + 1;
      while (hi < b.length && b[hi]! < v) {
        j = hi;
        step *= 2;
        hi = j + step;
      }
      hi = Math.min(hi, b.length);
      while (j < hi && b[j]! < v) {
        const mid = (j + hi) >> 1;
        if (b[mid]! < v) j = mid + 1;
        else hi = mid;
      }
    }
    if (j < b.length && b[j] === v) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** The first k ids in comparator order (a bounded heap instead of sorting everything). */
export function topK(ids: ArrayLike<number>, k: number, cmp: (a: number, b: number) => number): number[] {
  const n = ids.length;
  if (k <= 0 || n === 0) return [];
  if (n <= 4 * k || n <= 2048) return Array.from(ids).sort(cmp).slice(0, k);
  // max-heap on "worst first" holding the best k seen so far
  const heap: number[] = [];
  const worse = (i: number, j: number) => cmp(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(l, m)) m = l;
      if (r < heap.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let x = 0; x < n; x++) {
    const id = ids[x]!;
    if (heap.length < k) {
      heap.push(id);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (cmp(id, heap[0]!) < 0) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort(cmp);
}
