import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (this file is spec/package/helpers/consumer-project.ts). */
export const REPO = join(import.meta.dirname, '..', '..', '..');
const NODE_MODULES = join(REPO, 'node_modules');
export const TSC = join(NODE_MODULES, 'typescript', 'bin', 'tsc');

/** Why a consumer project cannot be made here, or undefined when it can (npm is on PATH). */
export function cannotPack(): string | undefined {
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  return npm.status === 0 ? undefined : `npm is not available (${npm.error?.message ?? npm.stderr.trim()})`;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The packages a consumer installs with rx-dtls: its dependencies and peer dependencies,
 * and theirs, as this checkout has them in node_modules.
 */
function runtimeClosure(manifest: Record<string, unknown>): string[] {
  const seen = new Set<string>();
  const queue = [manifest];
  while (queue.length > 0) {
    const next = queue.pop()!;
    const names = { ...(next.dependencies as object | undefined), ...(next.peerDependencies as object | undefined) };
    for (const name of Object.keys(names)) {
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(readJson(join(NODE_MODULES, name, 'package.json')));
    }
  }
  return [...seen].sort();
}

/**
 * Builds the library from lib/ into a staging copy (the checkout's dist/ is left alone),
 * packs it with `npm pack` as a release would, and packs its runtime dependencies from
 * node_modules, so the consumer installs offline. Returns the tarballs, rx-dtls's first.
 */
function packLibrary(work: string): { tarballs: string[]; files: string[] } {
  const staging = join(work, 'staging');
  mkdirSync(staging);
  for (const entry of ['lib', 'package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(REPO, entry), join(staging, entry), { recursive: true });
  }
  symlinkSync(NODE_MODULES, join(staging, 'node_modules'));
  run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], staging);
  chmodSync(join(staging, 'dist', 'cli', 'main.js'), 0o755);
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballs, staging], work)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const dependencies = runtimeClosure(readJson(join(REPO, 'package.json'))).map((name) => join(NODE_MODULES, name));
  const deps = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballs, ...dependencies], work)) as Array<{
    filename: string;
  }>;
  return {
    tarballs: [packed.filename, ...deps.map((d) => d.filename)].map((f) => join(tarballs, f)),
    files: packed.files.map((f) => f.path),
  };
}

/** A project outside the checkout that installed the packed library as a user would. */
export interface ConsumerProject {
  readonly dir: string;
  /** The paths in the rx-dtls tarball. */
  readonly packedFiles: readonly string[];
  /** Deletes the project, the tarballs and the staging build. */
  remove(): void;
}

export function makeConsumerProject(): ConsumerProject {
  const work = mkdtempSync(join(tmpdir(), 'rx-dtls-consumer-'));
  const { tarballs, files } = packLibrary(work);
  const dir = join(work, 'consumer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], dir);
  if (!existsSync(join(dir, 'node_modules', 'rx-dtls', 'dist', 'index.js'))) throw new Error('npm install did not install rx-dtls');
  return { dir, packedFiles: files, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/**
 * A strict tsconfig for the consumer's snippets. Types the consumer did not install are
 * taken from the checkout: @types/node, and node-coap for the CoAP guide's snippets.
 */
export function writeConsumerTsconfig(dir: string, rootDir: string, outDir: string): void {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2022'],
      strict: true,
      skipLibCheck: false,
      typeRoots: [join(NODE_MODULES, '@types')],
      types: ['node'],
      paths: { coap: [join(NODE_MODULES, 'coap', 'dist', 'index.d.ts')] },
      rootDir,
      outDir,
    },
    include: [rootDir],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
}
