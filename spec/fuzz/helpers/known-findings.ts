/**
 * Open bugs in lib/ that the fuzzers found and that are reported to the lead
 * engineer, each pinned by a targeted failing spec (`it.fails`, in the manner of
 * spec/fuzz/findings.spec.ts, whose specs became plain `it` once their bugs were
 * fixed). Fuzz runs count a case that shows one of these signatures as a known
 * finding instead of failing, so they keep looking for new ones; anything else
 * fails them. Remove an entry once lib/ is fixed, and make its spec a plain `it`
 * (the `it.fails` starts failing then, which says so).
 */
export interface KnownFinding {
  readonly id: string;
  readonly summary: string;
  /** True for an escaped error's stack or message, or a violation text, that this bug explains. */
  readonly matches: (text: string) => boolean;
  /** Other texts a case may show only because of this bug (what follows from the primary failure). */
  readonly consequences?: (text: string) => boolean;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  // None open: the two crashes found so far are fixed (spec/fuzz/findings.spec.ts keeps them fixed).
];

export interface Classification {
  /** Known finding ids seen in this case. */
  readonly known: string[];
  /** Texts no known finding explains: new bugs (or harness bugs). */
  readonly unknown: string[];
}

/** Sorts one case's escaped errors and invariant violations into known findings and the rest. */
export function classify(texts: readonly string[]): Classification {
  const known = new Set<string>();
  const rest: string[] = [];
  for (const text of texts) {
    const finding = KNOWN_FINDINGS.find((f) => f.matches(text));
    if (finding) known.add(finding.id);
    else rest.push(text);
  }
  const unknown = rest.filter((text) => !KNOWN_FINDINGS.some((f) => known.has(f.id) && f.consequences?.(text)));
  return { known: [...known], unknown };
}

/** An escaped error as text: its stack when it has one. */
export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
