import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HANDSHAKE_DIR = new URL('../../lib/handshake/', import.meta.url);

/** Every `x!` and `field!: T` in a source file, as "line: text". */
function nonNullAssertions(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const definite = (ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && node.exclamationToken !== undefined;
    if (ts.isNonNullExpression(node) || definite) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      found.push(`${fileName}:${line + 1}: ${node.getText(file)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the handshake state machines', () => {
  it('read their state through its types, never through a non-null assertion', () => {
    const files = readdirSync(HANDSHAKE_DIR).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('client-handshake.ts');
    const found = files.flatMap((name) => nonNullAssertions(name, readFileSync(new URL(name, HANDSHAKE_DIR), 'utf8')));
    expect(found).toEqual([]);
  });

  it('would see one: the check finds `!.`, `!)` and definite assignments but not `!==` or `!x`', () => {
    const sample = 'class A { b!: number; c?: { d: number }; e() { return this.c!.d + f(this.c!) + (!this.b ? 1 : 0) + (this.b !== 1 ? 1 : 0); } }';
    expect(nonNullAssertions('sample.ts', sample)).toEqual(['sample.ts:1: b!: number;', 'sample.ts:1: this.c!', 'sample.ts:1: this.c!']);
  });
});
