/**
 * "Did you mean" for misspelt names (layer types, fields, trainer methods).
 */

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two
 * neighbouring characters as one edit each (optimal string alignment), because a swap
 * ('adadelata' -> 'adadelta' is a deletion, 'flters' an insertion, 'cnov' a swap) is
 * the commonest typo.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  // d[i*cols + j] = distance between a[0..i) and b[0..j)
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j] + 1,
        d[i * cols + j - 1] + 1,
        d[(i - 1) * cols + j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The candidate nearest to `word`, ignoring case, or undefined when none is close
 * enough to be a plausible typo (about one edit per three characters, at least one).
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // The length difference is a lower bound on the distance: skipping on it keeps a
    // megabyte-long word from costing a megabyte-by-name table per candidate.
    const gap = Math.abs(w.length - c.length);
    if (gap > allowed || gap >= bestDistance) continue;
    const distance = editDistance(w, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** "did you mean 'x'?" when a candidate is close, otherwise "use one of 'a', 'b' or 'c'". */
export function suggestion(word: string, candidates: readonly string[]): string {
  const near = closestName(word, candidates);
  if (near !== undefined) return `did you mean '${near}'?`;
  return `use ${candidates.length > 1 ? 'one of ' : ''}${listNames(candidates)}`;
}

/**
 * A name the user wrote, cut to `max` characters for a message: a pasted text can hold a
 * megabyte-long name, and an error message should stay a sentence.
 */
export function shortName(name: string, max = 40): string {
  return name.length > max ? `${name.slice(0, max)}...` : name;
}

/** 'a', 'b' or 'c' */
export function listNames(names: readonly string[], conjunction = 'or'): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}
