// src/ is what ships; the dev servers, the cluster supervisor, PGlite, scratch databases and port helpers
// live in tools/. This walks the imports of the production entry points and keeps the two apart, and keeps
// what those entry points load at run time within the package's `dependencies` (the image installs no others).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rel = (file: string) => path.relative(root, file);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Folders production code must never reach: dev and test tooling. */
const FORBIDDEN = ['tools', 'test', 'scripts', 'bench'];

interface Import {
  specifier: string;
  dynamic: boolean;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? Boolean(node.importClause?.isTypeOnly) : node.isTypeOnly;
      found.push({ specifier: node.moduleSpecifier.text, dynamic: false, typeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, dynamic: true, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier as the file it names (`./x.js` is `./x.ts` in the sources, as tsx and tsc resolve it). */
function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  if (target.endsWith('.js') && existsSync(target.replace(/\.js$/, '.ts'))) return target.replace(/\.js$/, '.ts');
  return target;
}

const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../');
const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
const forbiddenFolder = (file: string) => FORBIDDEN.find((dir) => !path.relative(path.join(root, dir), file).startsWith('..'));

/** The CLI's TypeScript source, as bin/hookrelay.js names it. */
function cliSources(): string[] {
  const bin = readFileSync(path.join(root, 'bin/hookrelay.js'), 'utf8');
  return [...bin.matchAll(/new URL\('(\.\.\/src\/[^']+\.ts)', import\.meta\.url\)/g)].map((m) => path.resolve(root, 'bin', m[1]!));
}

const ENTRY_POINTS = [
  ...['api', 'worker', 'migrate', 'reencrypt', 'schema-worker'].map((name) => path.join(root, 'src/bin', `${name}.ts`)),
  path.join(root, 'bin/hookrelay.js'),
  ...cliSources(),
];

/** Every file the entry points reach through relative imports, and where each was first imported from. */
function productionGraph(): Map<string, string> {
  const reached = new Map<string, string>(ENTRY_POINTS.map((file) => [file, '(entry point)']));
  const queue = [...ENTRY_POINTS];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const { specifier } of importsOf(file)) {
      if (!isRelative(specifier)) continue;
      const target = resolveRelative(file, specifier);
      if (reached.has(target)) continue;
      reached.set(target, rel(file));
      if (existsSync(target) && /\.[cm]?[jt]s$/.test(target)) queue.push(target);
    }
  }
  return reached;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : /\.[cm]?[jt]s$/.test(name) ? [full] : [];
  });
}

describe('what ships', () => {
  it('finds the CLI source through bin/hookrelay.js', () => {
    expect(cliSources().map(rel)).toEqual(['src/cli/main.ts']);
  });

  it('the production entry points reach files in src/ only, none in tools/, test/, scripts/ or bench/', () => {
    const graph = productionGraph();
    expect(graph.size).toBeGreaterThan(50);
    const outside = [...graph].filter(([file]) => !file.startsWith(path.join(root, 'src') + path.sep) && !ENTRY_POINTS.includes(file));
    expect(outside.map(([file, from]) => `${rel(file)} (imported by ${from})`)).toEqual([]);
    const missing = [...graph].filter(([file]) => !existsSync(file));
    expect(missing.map(([file, from]) => `${rel(file)} (imported by ${from})`)).toEqual([]);
  });

  it('no file under src/ imports from tools/, test/, scripts/ or bench/', () => {
    const offending = filesUnder(path.join(root, 'src')).flatMap((file) =>
      importsOf(file)
        .filter(({ specifier }) => isRelative(specifier) && forbiddenFolder(resolveRelative(file, specifier)))
        .map(({ specifier }) => `${rel(file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('what the production entry points load at run time is in `dependencies`, not only in devDependencies', () => {
    // Type-only imports are erased; a dynamic import is allowed for what only runs from source (tsx, tests),
    // e.g. esbuild bundling the portal on demand when no build is there.
    const missing = [...productionGraph().keys()]
      .filter((file) => existsSync(file))
      .flatMap((file) =>
        importsOf(file)
          .filter(({ specifier, dynamic, typeOnly }) => !dynamic && !typeOnly && !isRelative(specifier) && !isBuiltin(specifier))
          .filter(({ specifier }) => !(packageName(specifier) in pkg.dependencies))
          .map(({ specifier }) => `${rel(file)} imports ${specifier}`),
      );
    expect(missing).toEqual([]);
  });
});
