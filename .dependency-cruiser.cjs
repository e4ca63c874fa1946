/**
 * The layering of src/ (docs/architecture.md), checked by `npm run lint:layers` in `npm test`.
 *
 * LAYERS runs bottom to top. A unit may import its own files, anything in a lower layer and
 * nothing else: not a higher layer, not a sibling in its own layer (siblings stay independent,
 * so none of them can grow into the other). Type-only imports count (tsPreCompilationDeps):
 * a type names the module it comes from as surely as a value does.
 */
const LAYERS = [
  { layer: 'kernel', units: { kernel: '^src/(domain/|(errors|faults|logger|config)\\.ts$)' } },
  { layer: 'storage', units: { db: '^src/db/' } },
  { layer: 'pure capabilities', units: { auth: '^src/auth/', intake: '^src/intake/', solver: '^src/solver/', feeds: '^src/feeds/' } },
  { layer: 'directory', units: { directory: '^src/directory/' } },
  { layer: 'roster', units: { roster: '^src/roster/' } },
  { layer: 'workflows on the roster', units: { claims: '^src/claims/', replan: '^src/replan/', messaging: '^src/messaging/' } },
  { layer: 'ground', units: { ground: '^src/ground/' } },
  { layer: 'http', units: { http: '^src/http/' } },
  { layer: 'pages', units: { pages: '^src/pages/' } },
  { layer: 'composition', units: { composition: '^src/(server|recovery|wiring)\\.ts$' } },
];

/**
 * Imports against the layering allowed for a while, each `{ unit, from, to, why }` (none
 * today: the last two became ports, docs/architecture.md). An entry is a debt with its reason;
 * remove it when its import is gone.
 */
const KNOWN_EXCEPTIONS = [];

const all = LAYERS.flatMap(({ layer, units }, level) => Object.entries(units).map(([name, path]) => ({ name, path, layer, level })));

/** A unit's rule: nothing above it, nothing beside it; an exception's file gets the same rule less its one target. */
function layerRules(unit) {
  const forbidden = all.filter((u) => u.level > unit.level || (u.level === unit.level && u.name !== unit.name)).map((u) => u.path);
  if (!forbidden.length) return [];
  const below = all.filter((u) => u.level < unit.level).map((u) => u.name);
  const rule = {
    name: `layer-${unit.name}`,
    severity: 'error',
    comment: `${unit.name} (layer "${unit.layer}") may import only ${below.length ? below.join(', ') : 'itself'}; see docs/architecture.md. A lower layer that needs a higher one takes it through a port.`,
  };
  const exceptions = KNOWN_EXCEPTIONS.filter((e) => e.unit === unit.name);
  return [
    { ...rule, from: { path: unit.path, pathNot: exceptions.map((e) => e.from) }, to: { path: forbidden } },
    ...exceptions.map((e) => ({
      ...rule,
      comment: `${rule.comment} Known exception: ${e.why}.`,
      from: { path: e.from },
      to: { path: forbidden, pathNot: e.to },
    })),
  ];
}

const known = all.map((u) => u.path);

module.exports = {
  forbidden: [
    ...all.flatMap(layerRules),
    {
      name: 'unlayered-folder',
      severity: 'error',
      comment: 'every folder of src/ has a place in the layering (.dependency-cruiser.cjs LAYERS, docs/architecture.md): give a new one its layer',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: known },
    },
    {
      name: 'unlayered-folder-importing',
      severity: 'error',
      comment: 'every folder of src/ has a place in the layering (.dependency-cruiser.cjs LAYERS, docs/architecture.md): give a new one its layer',
      from: { path: '^src/', pathNot: known },
      to: { path: '^src/' },
    },
    {
      name: 'src-imports-test-or-scripts',
      severity: 'error',
      comment: 'the service must not depend on the tests or the scripts',
      from: { path: '^src/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'folders import each other in a cycle: one of them must take what it needs through a port, or the shared part moves down',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-cycle-across-folders',
      severity: 'error',
      comment:
        'a cycle of modules leaves its folder (a parent and its subfolder importing each other, say): break it as for folders. Cycles inside one folder are that folder’s business.',
      from: { path: '^(src|src/.+)/[^/]+$' },
      to: { circular: true, via: { pathNot: '^$1/[^/]+$' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
