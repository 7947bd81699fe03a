// A lint rule: every module a file imports is Node's own, a relative path, or a package that the
// nearest package.json declares (dependencies, devDependencies, peerDependencies). A type-only
// module (`aws-lambda`) counts as declared by its @types package. So each package of packages/
// says what it uses, and a new import of something only the root installs fails lint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

const builtins = new Set(builtinModules);
const manifests = new Map();

function manifestOf(dir) {
  if (manifests.has(dir)) return manifests.get(dir);
  const path = join(dir, 'package.json');
  let found;
  if (existsSync(path)) {
    const json = JSON.parse(readFileSync(path, 'utf8'));
    // the root declares its workspaces (packages/*) by listing them
    const workspaces = (json.workspaces ?? []).flatMap((pattern) => {
      const base = join(dir, pattern.replace(/\/\*$/, ''));
      return pattern.endsWith('/*') ? readdirSync(base).map((name) => join(base, name)) : [join(dir, pattern)];
    });
    const members = workspaces.filter((w) => existsSync(join(w, 'package.json'))).map((w) => JSON.parse(readFileSync(join(w, 'package.json'), 'utf8')).name);
    found = { path, name: json.name, declared: new Set([...Object.keys({ ...json.dependencies, ...json.devDependencies, ...json.peerDependencies }), ...members]) };
  } else found = dirname(dir) === dir ? undefined : manifestOf(dirname(dir));
  manifests.set(dir, found);
  return found;
}

export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const typesName = (name) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

export const declaredDependencies = {
  meta: { type: 'problem', docs: { description: 'imports only what the nearest package.json declares' }, schema: [] },
  create(context) {
    const manifest = manifestOf(dirname(context.filename));
    if (!manifest) return {};
    const check = (node) => {
      const specifier = node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined;
      const name = specifier && packageOf(specifier);
      if (!name || name === manifest.name || manifest.declared.has(name) || manifest.declared.has(typesName(name))) return;
      context.report({ node, message: `'${name}' is not declared in ${manifest.path.replace(process.cwd() + '/', '')}: add it to its dependencies` });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => node.source && check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
