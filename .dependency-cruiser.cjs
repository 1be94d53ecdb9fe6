// The layer rule, checked by `npm run check` (npm run lint:layers):
//   protocols (and the console, an adapter above them) → core → repositories → database
// config, operations, limits and common are infrastructure: the core never imports them, and they
// never import a protocol (the app factory hands them what they need). See CONTRIBUTING.md.
const CORE = '^src/core/';
const INFRASTRUCTURE = '^src/(config|operations|limits|common)/';
const APP = '^src/(app\\.factory|app\\.module|main)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-protocol-free',
      comment: 'The core knows the neutral model only: no protocol, no HTTP plumbing, no infrastructure.',
      severity: 'error',
      from: { path: CORE },
      to: { path: [`^src/protocols/`, '^src/console/', '^src/inference/', INFRASTRUCTURE, APP, '^src/cli/'] },
    },
    {
      name: 'inference-stands-alone',
      comment:
        'src/inference calls the providers the operator maps and knows nothing of protocols, records or SQL: the protocols embed first, then call the core.',
      severity: 'error',
      from: { path: '^src/inference/' },
      to: {
        path: ['^src/(protocols|console|operations|limits|common|config|database|cli|transfer)/', '^src/core/', APP],
        pathNot: '^src/core/errors\\.ts$',
      },
    },
    {
      name: 'database-is-the-bottom',
      comment: 'The database layer runs SQL for the layers above and knows none of them.',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: ['^src/(core|protocols|operations|limits|common|cli)/', APP] },
    },
    {
      name: 'infrastructure-is-protocol-free',
      comment: 'Operations, limits, config and common get what they need of the protocols from the app factory.',
      severity: 'error',
      from: { path: INFRASTRUCTURE },
      to: { path: ['^src/protocols/', '^src/console/', APP] },
    },
    {
      name: 'protocols-stay-apart',
      comment: 'One protocol never imports another: what they share lives in the core or in src/protocols/ itself.',
      severity: 'error',
      from: { path: '^src/protocols/([^/]+)/' },
      to: { path: '^src/protocols/[^/]+/', pathNot: '^src/protocols/$1/' },
    },
    {
      name: 'protocols-do-not-use-the-console',
      comment:
        'The console is an adapter above the protocols (it reuses their filter parsers); only their list mounts it.',
      severity: 'error',
      from: { path: '^src/protocols/[^/]+/' },
      to: { path: '^src/console/' },
    },
    {
      name: 'console-controllers-through-its-service',
      comment: "The console's controllers route; ConsoleService parses, maps and calls the core.",
      severity: 'error',
      from: { path: '^src/console/controllers/' },
      to: { path: '^src/core/' },
    },
    {
      name: 'controllers-through-a-protocol-service',
      comment: 'A controller routes and validates DTOs; its protocol service parses, maps and calls the core.',
      severity: 'error',
      from: { path: '^src/protocols/[^/]+/controllers/' },
      to: { path: '^src/core/', pathNot: '^src/core/scope\\.ts$' },
    },
    {
      name: 'repositories-below-services',
      comment: 'A repository runs SQL; it calls no service.',
      severity: 'error',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '\\.service\\.ts$' },
    },
    {
      name: 'no-type-from-a-sibling-service',
      comment: "A core file takes shared types from src/core/*.ts or a model, not from another module's service.",
      severity: 'error',
      from: { path: '^src/core/([^/]+)/' },
      to: { path: '^src/core/[^/]+/[^/]+\\.service\\.ts$', pathNot: '^src/core/$1/', dependencyTypes: ['type-only'] },
    },
    {
      name: 'src-not-to-tests-or-benches',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'src-not-to-dev-dependencies',
      comment: 'What the server runs must be in dependencies, not devDependencies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
