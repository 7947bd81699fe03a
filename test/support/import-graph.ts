/**
 * The packages' import graph, type imports included (`import type` and `export … from` are edges
 * too: a circle of types is still a circle for the next engineer), read with TypeScript's own
 * pre-processor. Workspace imports (`@twofold/<pkg>` and `@twofold/<pkg>/<file>`) resolve through
 * each package's `exports`; relative ones to the `.ts` file. Cycles are the graph's strongly
 * connected components of more than one file, or a file importing itself (Tarjan's algorithm).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { packageOf } from '../../eslint/declared-dependencies.js';

export interface SourceFile {
  /** Repository-relative path. */
  file: string;
  /** The package directory it belongs to, e.g. packages/core. */
  pkg: string;
  /** Every module specifier it imports or re-exports. */
  specifiers: string[];
}

const ROOT = resolve(import.meta.dirname, '../..');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export function packageDirs(): string[] {
  return readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}`).filter((dir) => existsSync(join(ROOT, dir, 'package.json')));
}

/** Every TypeScript source of packages/<pkg>/src (and the package's scripts), with its imports. */
export function sources(): SourceFile[] {
  return packageDirs().flatMap((pkg) =>
    ['src', 'scripts']
      .map((sub) => join(ROOT, pkg, sub))
      .filter(existsSync)
      .flatMap((dir) => walk(dir, []))
      .map((path) => ({
        file: relative(ROOT, path),
        pkg,
        specifiers: ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles.map((f) => f.fileName),
      })),
  );
}

const workspace = new Map(packageDirs().map((pkg) => [JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')).name as string, pkg]));

function asTsFile(base: string): string | undefined {
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The repository-relative file a specifier of `from` reaches inside the workspace, if any. */
export function resolveInWorkspace(from: string, specifier: string): string | undefined {
  let target: string | undefined;
  if (specifier.startsWith('.')) target = asTsFile(resolve(ROOT, dirname(from), specifier));
  else {
    const name = packageOf(specifier);
    const pkg = name ? workspace.get(name) : undefined;
    if (!name || !pkg) return undefined;
    const sub = specifier.slice(name.length).replace(/^\//, '');
    const exports = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')).exports as Record<string, unknown> | undefined;
    const entry = sub === '' ? exports?.['.'] : exports?.['./*'];
    if (typeof entry !== 'string') return undefined;
    target = asTsFile(join(ROOT, pkg, entry.replace('*', sub)));
  }
  return target ? relative(ROOT, target) : undefined;
}

/** Each file's imports that stay in the workspace, as files. */
export function edgesOf(files: SourceFile[]): Map<string, string[]> {
  return new Map(files.map((f) => [f.file, [...new Set(f.specifiers.map((s) => resolveInWorkspace(f.file, s)).filter((t): t is string => t !== undefined))]]));
}

/** The cycles of a graph: each a sorted list of nodes that import one another, round. */
export function cyclesOf(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}
