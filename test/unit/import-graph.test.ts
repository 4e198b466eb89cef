// The layers of src/ depend one way (issue 16):
//   api → services → (db, domain, Temporal client: temporal/client.ts → workflows' types)
//   activities → (db, domain, workflows/contracts.ts)
//   workflows → (domain, their own messages and attributes, activities' types only)
//   db → domain;  domain → nothing of ours.
// This test reads every import in src/ with the TypeScript parser and fails on an edge against
// that direction, or on a circle of imports, so a new back-edge is caught in `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');
const src = join(root, 'src');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `./x` from `src/a/b.ts` → `src/a/x.ts` (or `src/a/x/index.ts`); undefined for a package. */
function resolveImport(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  if (!base.startsWith(src)) return undefined; // package.json and the like
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`${relative(root, fromFile)}: cannot resolve ${specifier}`);
}

function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const edges: Edge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const to = resolveImport(file, specifier.text);
    if (to) edges.push({ from: relative(src, file), to: relative(src, to), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const edges = sourceFiles(src).flatMap(importsOf);

/** The folder under src/ (`domain`, `db`, …), or `root` for src/*.ts. */
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : 'root');

/** What each layer may import besides itself. A layer not listed (root, dev, config files) may import anything. */
const allowed: Record<string, (edge: Edge) => boolean> = {
  domain: () => false,
  db: (e) => layerOf(e.to) === 'domain',
  metrics: (e) => ['db', 'domain'].includes(layerOf(e.to)),
  workflows: (e) => layerOf(e.to) === 'domain' || (layerOf(e.to) === 'activities' && e.typeOnly),
  activities: (e) =>
    ['db', 'domain'].includes(layerOf(e.to)) || e.to === 'workflows/contracts.ts' || (layerOf(e.to) === 'metrics' && e.typeOnly),
  services: (e) =>
    ['db', 'domain'].includes(layerOf(e.to)) ||
    e.to === 'temporal/client.ts' ||
    // What a Temporal client sends a workflow: its input/result types, signals, and start options.
    ['workflows/contracts.ts', 'workflows/messages.ts', 'workflows/delivery-start.ts', 'workflows/search-attributes.ts'].includes(e.to),
  temporal: (e) => {
    // The worker's composition root builds activities, use cases and the sweeper.
    if (e.from === 'temporal/create-worker.ts') return !['api'].includes(layerOf(e.to));
    return ['domain', 'workflows'].includes(layerOf(e.to)) || e.to === 'config.ts';
  },
  api: (e) => !['activities', 'workflows', 'temporal'].includes(layerOf(e.to)),
};

describe('import graph of src/', () => {
  it('finds the imports (the parser sees the files)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'api/app.ts', to: expect.stringMatching(/^api\//), typeOnly: expect.any(Boolean) });
  });

  it('has no edge against the direction of the layers', () => {
    const backEdges = edges
      .filter((edge) => layerOf(edge.from) !== layerOf(edge.to))
      .filter((edge) => {
        const rule = allowed[layerOf(edge.from)];
        return rule !== undefined && !rule(edge);
      })
      .map((edge) => `${edge.from} → ${edge.to}${edge.typeOnly ? ' (type)' : ''}`);
    expect(backEdges).toEqual([]);
  });

  it('has no circle of imports, type-only ones included', () => {
    const next = new Map<string, string[]>();
    for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const walk = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const to of next.get(file) ?? []) {
        if (state.get(to) === 'open') circles.push([...path.slice(path.indexOf(to)), to].join(' → '));
        else if (!state.has(to)) walk(to);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of next.keys()) if (!state.has(file)) walk(file);
    expect(circles).toEqual([]);
  });

  it('would catch a back-edge (the rules refuse an activity importing a service)', () => {
    expect(allowed.activities!({ from: 'activities/index.ts', to: 'services/publishing.service.ts', typeOnly: false })).toBe(false);
    expect(allowed.workflows!({ from: 'workflows/delivery.workflow.ts', to: 'activities/index.ts', typeOnly: false })).toBe(false);
    expect(allowed.workflows!({ from: 'workflows/delivery.workflow.ts', to: 'activities/index.ts', typeOnly: true })).toBe(true);
    expect(allowed.domain!({ from: 'domain/x.ts', to: 'workflows/contracts.ts', typeOnly: true })).toBe(false);
  });
});
