import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The floors of lib/, lowest first. A file may import from its own folder or
 * from a folder on a lower floor, never from one on its own floor or above:
 * that is what keeps the pure core free of sockets and RxJS, and lets a new
 * mechanism be placed by asking which floor it stands on (docs/design.md).
 */
const FLOORS: readonly (readonly string[])[] = [
  ['wire', 'crypto'],
  ['record', 'node-crypto', '.'], // '.': dtls-error.ts, which names alerts from wire

  ['handshake'],
  ['credentials', 'transport'],
  ['operators'],
  ['endpoint', 'impairment'],
  // testing and stages: the rx-dtls/testing and rx-dtls/stages entry points, over endpoint and impairment
  ['sock', 'dgram', 'testing', 'stages', 'cluster'],
  ['cli'],
];
/** Floors that must stay pure: plain functions and data over Uint8Array, no clocks or sockets. */
const PURE = ['wire', 'crypto', 'record', 'handshake'];

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../lib');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const folderOf = (file: string) => {
  const rel = relative(lib, file);
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '.';
};
const floorOf = (folder: string) => FLOORS.findIndex((floor) => floor.includes(folder));
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );

const libFiles = files(lib).filter((f) => f !== join(lib, 'index.ts'));

describe('the import graph of lib/', () => {
  it('places every folder of lib/ on a floor', () => {
    const folders = new Set(libFiles.map(folderOf));
    expect([...folders].filter((f) => floorOf(f) < 0)).toEqual([]);
  });

  it('has no import that runs upward or sideways between folders', () => {
    const upward: string[] = [];
    for (const file of libFiles) {
      const from = folderOf(file);
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const to = folderOf(resolve(dirname(file), spec));
        if (to !== from && floorOf(to) >= floorOf(from)) upward.push(`${relative(lib, file)} -> ${spec}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the pure core free of rxjs and node:*', () => {
    const impure = libFiles
      .filter((f) => PURE.includes(folderOf(f)))
      .flatMap((f) => importsOf(f).filter((s) => s === 'rxjs' || s.startsWith('rxjs/') || s.startsWith('node:')).map((s) => `${relative(lib, f)} -> ${s}`));
    expect(impure).toEqual([]);
  });

  it('would catch an upward import (the check is not vacuous)', () => {
    // The transport floor importing an endpoint, as lib/transport's dgram facades once did.
    expect(floorOf('endpoint')).toBeGreaterThan(floorOf('transport'));
    expect(importsOf(join(lib, 'endpoint/server.ts')).some((s) => s.startsWith('../transport/'))).toBe(true);
  });
});
