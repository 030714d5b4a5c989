import { describe, expect, it } from 'vitest';
import { HandshakeBudget } from '../../lib/handshake/handshake-budget.js';
import { HandshakeBytePool } from '../../lib/handshake/handshake-byte-pool.js';

describe('HandshakeBudget', () => {
  it('takes charges up to its limit, refuses one that would go over, and takes it again once bytes are released', () => {
    const budget = new HandshakeBudget(100);
    expect(budget.charge(60)).toBe(true);
    expect(budget.charge(41)).toBe(false);
    expect(budget.held).toBe(60);
    budget.release(20);
    expect(budget.charge(41)).toBe(true);
    expect(budget.held).toBe(81);
  });

  it('gives everything back when closed, and takes nothing after', () => {
    const pool = new HandshakeBytePool(1_000);
    const budget = pool.join(100, () => undefined);
    budget.charge(70);
    budget.close();
    expect(budget.held).toBe(0);
    expect(pool.held).toBe(0);
    expect(budget.charge(1)).toBe(false);
  });
});

describe('HandshakeBytePool', () => {
  /** A pool of `limit` bytes with `count` members, each recording its eviction. */
  function members(limit: number, count: number, eachLimit = 100) {
    const pool = new HandshakeBytePool(limit);
    const evicted: number[] = [];
    const budgets = Array.from({ length: count }, (_, i) => pool.join(eachLimit, () => evicted.push(i)));
    return { pool, evicted, budgets };
  }

  it('adds up what its handshakes hold', () => {
    const { pool, budgets } = members(1_000, 3);
    budgets.forEach((b, i) => b.charge(10 * (i + 1)));
    expect(pool.held).toBe(60);
    budgets[1].release(5);
    expect(pool.held).toBe(55);
  });

  it('makes room by evicting the oldest handshakes that hold bytes, never the one asking', () => {
    const { pool, evicted, budgets } = members(200, 4);
    budgets[1].charge(90);
    budgets[2].charge(90);
    budgets[3].charge(10);
    // budgets[0] holds nothing, so evicting it would free nothing.
    expect(budgets[3].charge(50)).toBe(true);
    expect(evicted).toEqual([1]);
    expect(pool.held).toBe(150);
    expect(budgets[1].charge(1)).toBe(false); // closed
  });

  it('evicts nobody for a charge that could not fit even alone', () => {
    const { pool, evicted, budgets } = members(100, 2, 500);
    budgets[0].charge(60);
    budgets[1].charge(30);
    expect(budgets[1].charge(80)).toBe(false); // within its own 500, but 110 alone is over the pool's 100

    expect(evicted).toEqual([]);
    expect(pool.held).toBe(90);
  });

  it('takes nothing for a handshake that ended while room was made for it', () => {
    const pool = new HandshakeBytePool(100);
    const asking: HandshakeBudget[] = [];
    const old = pool.join(100, () => asking[0].close()); // its eviction ends every handshake, as a server's close() would
    asking.push(pool.join(100, () => undefined));
    old.charge(80);
    expect(asking[0].charge(50)).toBe(false);
    expect(pool.held).toBe(0);
  });
});
