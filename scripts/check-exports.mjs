// Checks that every entry point of each publishable package exports at run time exactly the values its declaration
// file says it does, for `import` (ESM, `.d.ts`) and `require` (CJS, `.d.cts`) alike. A name re-exported with
// `export type { X }` where X is a class, enum or const is type-only in the source, but the bundled declarations
// drop the `type` modifier: users then see a value in their editor and get "does not provide an export named X"
// (ESM) or `undefined` (CJS) at run time. Requires a prior build (`pnpm build`).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { publishablePackages } from './lib/workspace.mjs';

const require = createRequire(import.meta.url);

/** The names a declaration file exports as values (classes, functions, consts, enums), sorted. */
export function declaredValueExports(declarationFile) {
  const program = ts.createProgram([declarationFile], {
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(declarationFile);
  if (source === undefined) throw new Error(`${declarationFile}: not found`);
  const module = checker.getSymbolAtLocation(source);
  if (module === undefined) return [];
  const names = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const declaration = symbol.declarations?.[0];
    // `export type { X }` kept as written: a type-only alias, whatever X is.
    if (
      declaration &&
      ts.isExportSpecifier(declaration) &&
      (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly)
    )
      continue;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (target.flags & ts.SymbolFlags.Value) names.push(symbol.name);
  }
  return names.sort();
}

/** Differences between the declared value exports and the run-time ones, as messages. */
export function compareExports(label, declared, runtime) {
  const actual = new Set(runtime);
  const expected = new Set(declared);
  const problems = [];
  for (const name of declared) {
    if (!actual.has(name))
      problems.push(`${label}: declares ${name} as a value, but it is not exported at run time`);
  }
  for (const name of runtime) {
    if (!expected.has(name) && name !== 'default' && name !== '__esModule')
      problems.push(`${label}: exports ${name} at run time, but its declarations do not`);
  }
  return problems;
}

/** The `[subpath, condition, types, default]` of each JavaScript entry in a manifest's `exports`. */
function entries(manifest) {
  const found = [];
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    if (typeof conditions !== 'object' || conditions === null) continue;
    for (const condition of ['import', 'require']) {
      const target = conditions[condition];
      if (target && typeof target === 'object' && target.types && target.default)
        found.push([subpath, condition, target.types, target.default]);
    }
  }
  return found;
}

/** Throws when an entry of a publishable package exports other values than its declarations say. */
export async function checkEntryExports() {
  const problems = [];
  let checked = 0;
  for (const pkg of publishablePackages()) {
    const manifest = require(join(pkg.dir, 'package.json'));
    for (const [subpath, condition, types, file] of entries(manifest)) {
      const label = `${pkg.name}${subpath.slice(1)} (${condition})`;
      const path = join(pkg.dir, file);
      const runtime = Object.keys(
        condition === 'import' ? await import(pathToFileURL(path).href) : require(path),
      );
      problems.push(...compareExports(label, declaredValueExports(join(pkg.dir, types)), runtime));
      checked++;
    }
  }
  if (problems.length > 0)
    throw new Error(`entry exports disagree with their declarations:\n${problems.join('\n')}`);
  process.stdout.write(`entry exports match their declarations (${checked} entries)\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  checkEntryExports().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
