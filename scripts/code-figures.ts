/**
 * Prints the code figures the redesign is judged by: lines of `src/`, `as` casts (not
 * `as const`) and `any` in `src/` and `test/` (generated code left out). Usage: `npm run code:figures`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function count(dir: string) {
  let lines = 0;
  let casts = 0;
  let anys = 0;
  for (const path of files(dir)) {
    const text = readFileSync(path, 'utf8');
    lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText() === 'const')) casts += 1;
      if (node.kind === ts.SyntaxKind.AnyKeyword) anys += 1;
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { files: files(dir).length, lines, casts, anys };
}

for (const dir of ['src', 'test']) {
  const figures = count(dir);
  console.log(`${dir}: ${figures.files} files, ${figures.lines} lines, ${figures.casts} 'as' casts, ${figures.anys} 'any'`);
}
