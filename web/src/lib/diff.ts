// A small LCS diff for revision history (run on the server; the page receives the result).

export type DiffOp = { type: 'same' | 'add' | 'del'; text: string };

const MAX_CELLS = 4_000_000;

/** Diffs two token lists; falls back to "all removed, all added" when the inputs are huge. */
export function diffTokens(a: readonly string[], b: readonly string[]): DiffOp[] {
  // Trim the common prefix and suffix first: edits are usually local.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: DiffOp[] = a.slice(0, start).map((text) => ({ type: 'same', text }));
  const tail: DiffOp[] = a.slice(endA).map((text) => ({ type: 'same', text }));
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);

  let middle: DiffOp[];
  if (x.length * y.length > MAX_CELLS) {
    middle = [...x.map((text) => ({ type: 'del' as const, text })), ...y.map((text) => ({ type: 'add' as const, text }))];
  } else {
    const n = x.length;
    const m = y.length;
    // lcs[i][j] = LCS length of x[i..] and y[j..], in a flat array
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          x[i] === y[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
      }
    }
    middle = [];
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) {
        middle.push({ type: 'same', text: x[i]! });
        i++;
        j++;
      } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
        middle.push({ type: 'del', text: x[i]! });
        i++;
      } else {
        middle.push({ type: 'add', text: y[j]! });
        j++;
      }
    }
    while (i < n) middle.push({ type: 'del', text: x[i++]! });
    while (j < m) middle.push({ type: 'add', text: y[j++]! });
  }
  return [...head, ...middle, ...tail];
}

/** Line diff of two texts. */
export function diffLines(before: string, after: string): DiffOp[] {
  return diffTokens(before.split('\n'), after.split('\n'));
}

/** Word diff (whitespace kept as tokens), merged into runs. */
export function diffWords(before: string, after: string): DiffOp[] {
  const tokenize = (s: string) => s.match(/\s+|[^\s]+/g) ?? [];
  const ops = diffTokens(tokenize(before), tokenize(after));
  const merged: DiffOp[] = [];
  for (const op of ops) {
    const last = merged[merged.length - 1];
    if (last && last.type === op.type) last.text += op.text;
    else merged.push({ ...op });
  }
  return merged;
}

/**
 * Collapses long unchanged stretches of a line diff to a few lines of context around changes.
 * Returns hunks; `skipped` counts the unchanged lines left out before each hunk.
 */
export function hunks(ops: DiffOp[], context = 3): { skipped: number; ops: DiffOp[] }[] {
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((op, i) => {
    if (op.type !== 'same') for (let k = Math.max(0, i - context); k <= Math.min(ops.length - 1, i + context); k++) keep[k] = true;
  });
  const result: { skipped: number; ops: DiffOp[] }[] = [];
  let skipped = 0;
  let current: DiffOp[] | null = null;
  ops.forEach((op, i) => {
    if (keep[i]) {
      if (!current) {
        current = [];
        result.push({ skipped, ops: current });
        skipped = 0;
      }
      current.push(op);
    } else {
      skipped++;
      current = null;
    }
  });
  if (skipped && result.length) result.push({ skipped, ops: [] });
  return result;
}
