// Dependency rules of the server (npm run check: `depcruise`). The floors: lib → infra → graphql →
// modules → boot (app, main, worker, deps) and scripts. Each module owns its collections: only its
// repository imports its model (values; `import type` of a document type is free).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles (type-only imports excluded: they vanish at run time).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'model-only-in-own-repository',
      severity: 'error',
      comment: "A module's model (its collection) is read and written only by that module's repository.",
      from: { path: '^server/src/', pathNot: ['^server/src/modules/([^/]+)/[^/]+\\.repository\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^server/src/modules/[^/]+/[^/]+\\.model\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'repository-uses-own-model',
      severity: 'error',
      comment: "A repository touches its own module's collections only.",
      from: { path: '^server/src/modules/([^/]+)/[^/]+\\.repository\\.ts$' },
      to: { path: '^server/src/modules/[^/]+/[^/]+\\.model\\.ts$', pathNot: '^server/src/modules/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'lib-is-pure',
      severity: 'error',
      comment: 'lib/ holds pure helpers: nothing from infra/, graphql/, modules/ or the boot files.',
      from: { path: '^server/src/lib/' },
      to: { path: '^server/src/(infra|graphql|modules)/|^server/src/(app|main|worker|deps|context|config)\\.ts$' },
    },
    {
      name: 'infra-below-modules',
      severity: 'error',
      comment: 'infra/ (databases, caches, search engines) knows no feature module.',
      from: { path: '^server/src/infra/', pathNot: '\\.test\\.ts$' },
      to: { path: '^server/src/(graphql|modules)/|^server/src/(app|main|worker|deps)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'modules-not-boot',
      severity: 'error',
      comment: 'Modules get their dependencies from the context; they never import the boot files (context.ts only for types).',
      from: { path: '^server/src/modules/' },
      to: { path: '^server/src/(app|main|worker|deps)\\.ts$|^server/src/context\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
