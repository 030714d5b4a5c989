import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One ```ts block of a page: where it starts and its code. */
export interface Snippet {
  /** The page, relative to the repository root (README.md, docs/design.md). */
  readonly page: string;
  /** The line of the opening fence (1-based): the snippet's line n is the page's line `fenceLine + n`. */
  readonly fenceLine: number;
  readonly code: string;
}

/** The pages whose TypeScript snippets are compiled: the README and the guides in docs/. */
export function documentedPages(root: string): string[] {
  const guides = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...guides];
}

/**
 * Every block fenced as ```ts in a page. By the docs' convention each one is a module
 * on its own: what it uses from elsewhere it imports, or declares with `declare const`.
 */
export function typeScriptSnippets(root: string, page: string): Snippet[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end < 0) throw new Error(`${page}:${i + 1}: a \`\`\`ts block that never closes`);
    snippets.push({ page, fenceLine: i + 1, code: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return snippets;
}

/** The file a snippet is compiled as: README.md line 89 becomes README.md.89.ts. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.page.replace(/\//g, '_')}.${snippet.fenceLine}.ts`;
}

/** Rewrites tsc's `file.ts(line,col)` positions as the page's `page:line:col`, so an error names the line to fix. */
export function pagePositions(output: string, snippets: readonly Snippet[]): string {
  const byFile = new Map(snippets.map((s) => [snippetFileName(s), s]));
  return output.replace(/(?:[\w./-]*\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/g, (whole, file: string, line: string, column: string) => {
    const snippet = byFile.get(file);
    return snippet ? `${snippet.page}:${snippet.fenceLine + Number(line)}:${column}` : whole;
  });
}
