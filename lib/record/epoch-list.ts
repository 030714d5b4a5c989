/**
 * The per-epoch state of one direction of a connection, newest last. A connection that
 * never renegotiates has one or two epochs, and an idle session keeps them for its whole
 * life, so they live in an array of exactly their number (a Map, or an array grown by push
 * or spread, reserves room for more) searched from the end.
 */
export type EpochList<T extends { readonly epoch: number }> = readonly T[];

/** `list` with `item` added last, replacing any entry of the same epoch. */
export function withEpoch<T extends { readonly epoch: number }>(list: EpochList<T>, item: T): EpochList<T> {
  const kept = list.filter((e) => e.epoch !== item.epoch);
  const next = new Array<T>(kept.length + 1);
  for (let i = 0; i < kept.length; i++) next[i] = kept[i];
  next[kept.length] = item;
  return next;
}

export function findEpoch<T extends { readonly epoch: number }>(list: EpochList<T>, epoch: number): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].epoch === epoch) return list[i];
  return undefined;
}
