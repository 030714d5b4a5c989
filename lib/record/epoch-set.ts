/**
 * The epochs of one direction of a connection: the newest in a field, and older ones in a
 * Map made only when there are some (a connection that never renegotiates has none). Not a
 * Map from the start, as an idle session keeps these for its whole life. ReadEpochs and
 * WriteEpochs extend it, so it costs no object of its own.
 */
export class EpochSet<T extends { readonly epoch: number }> {
  private newest: T | undefined;
  private older: Map<number, T> | undefined;

  /** The newest epoch put here, or 0 when there is none. */
  get current(): number {
    return this.newest?.epoch ?? 0;
  }

  /** Adds `item`, in place of any earlier one of its epoch. */
  protected put(item: T): void {
    const { newest } = this;
    if (newest === undefined || newest.epoch === item.epoch) {
      this.newest = item;
    } else if (item.epoch > newest.epoch) {
      (this.older ??= new Map()).set(newest.epoch, newest);
      this.newest = item;
    } else {
      (this.older ??= new Map()).set(item.epoch, item);
    }
  }

  /** Removes the item of an older epoch; the newest stays (an epoch is only ever replaced by a newer one). */
  protected removeOlder(epoch: number): void {
    this.older?.delete(epoch);
  }

  /** The items, newest first. */
  protected *items(): IterableIterator<T> {
    if (this.newest === undefined) return;
    yield this.newest;
    if (this.older !== undefined) yield* [...this.older.values()].sort((a, b) => b.epoch - a.epoch);
  }

  protected find(epoch: number): T | undefined {
    return this.newest?.epoch === epoch ? this.newest : this.older?.get(epoch);
  }
}
