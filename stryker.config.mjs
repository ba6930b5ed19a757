// Mutation testing of the verdict code (issue 16): `npm run mutation`.
// Stryker mutates the TypeScript sources in a sandbox copy, compiles the copy with tsc into build/
// (one build: every mutant is in it behind a switch), then runs the compiled node:test unit tests
// with its tap runner, one file at a time, only the files that reach the mutant (per-test coverage).
// Scope is by folder, so files that move inside a folder stay covered; message-only code is left
// out by the `wording` ignorer (stryker/message-ignorer.mjs), renderers (src/report/) by scope.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  plugins: ['@stryker-mutator/tap-runner', './stryker/message-ignorer.mjs'],
  testRunner: 'tap',
  tap: {
    // The table tests of the modules mutated: the unit test files that import one of them.
    // Files that reach them only through I/O layers (http, daemon, archives, deep) are left out:
    // on two cores they would make every surviving mutant cost a minute, and a mutant that only
    // they kill is a hole in the module's own table. Timing tests (*-timing) hold a budget for
    // the shipped code, not for the instrumented copy; text-safety tests log and report text.
    testFiles: [
      'build/test/unit/{attestations,base-detect,base-platforms,blob,blob-rules,challenge,credentials,descriptor,drift,gates,history,pairing,platform,reference,rules,strict-json,waste}.test.js',
      'build/test/unit/{digest,reference-insecure,credentials-keys,layer-index-tar,drift-classify,pairing-cases,rules-agreement,index-rules,bytes}.test.js',
      // local servers and fixture archives, about a second each: the referrers walk, auth, the
      // blob rules as the archive and layout sources apply them
      'build/test/unit/{referrers,auth,local-archive,local-layout}.test.js',
      'build/test/unit/{layer-index-cases,waste-cases}.test.js', // mutg1: the tar walker against Go's reader, waste and efficiency
      'build/test/unit/{index-level-cases,blob-rules-cases,attestation-gate-cases}.test.js', // mutg2: verify/ index-level, blob, attestation and gate rules
      'build/test/unit/{descriptor-cases,referrers-cases}.test.js',
      'build/test/unit/{credentials-cases,challenge-cases,base-platforms-cases,attribute-cases,provenance-cases,base-drift-edges}.test.js', // auth and base edge cases (mutg5)
      // Go's JSON rules, containerd's platform matcher and reference edges, case by case (mutg4)
      'build/test/unit/{strict-json-cases,platform-cases,reference-cases}.test.js',
    ],
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  buildCommand: 'tsc -p tsconfig.json',
  coverageAnalysis: 'perTest',
  ignorers: ['wording'],
  mutator: {
    // String mutants are, in this code, almost all wording outside a `message` (descriptions,
    // table cells); regex mutants of the reference grammar are mostly equivalent rewrites. Both
    // cost an hour on two cores for little: the verdict turns on conditions, comparisons,
    // booleans, which checks are pushed and which element is chosen, all still mutated.
    excludedMutations: ['StringLiteral', 'Regex'],
  },
  // Static mutants (module-level tables) need every test file per mutant: minutes each.
  ignoreStatic: true,
  mutate: [
    // the verdict: comparison rules, pairing, gates, the tar index and waste accounting
    'src/verify/**/*.ts',
    '!src/verify/{blob,deep,deep-layer,pool,cache,cache-toolcache,progress,compared,layers}.ts', // I/O, plumbing and wording: covered by e2e
    // the tar index (moved to bytes/ with the one streaming pass)
    'src/bytes/layer-index.ts',
    // spec types: platform matcher, references, digests, descriptors, Go's JSON rules
    'src/oci/**/*.ts',
    '!src/oci/{types,in-toto}.ts',
    // auth: challenge parsing and which credential goes to which host
    'src/registry/{challenge,credentials}.ts',
    // base attribution, drift, provenance trust, per-platform bases
    'src/base/**/*.ts',
    '!src/base/{audit,detect,dockerfile,inspect,lookup}.ts', // detection I/O and orchestration
    '!src/report/**',
  ],
  // build/ is NOT ignored: the tap runner names each test by its compiled file (build/test/unit/…),
  // and Stryker's incremental mode reuses a result only for tests whose file it can find among the
  // project's files (and diffs their text to see which changed). `npm run mutation[:ci]` compiles
  // the tests first; the sandbox compiles again with the mutants in.
  ignorePatterns: ['dist', 'reports', 'coverage', '.tmp', 'bench', '.stryker-tmp', 'build/bench', 'build/test/e2e', 'build/test/helpers'],
  concurrency: 2,
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // `npm run mutation` is a full run; `npm run mutation:ci` (in .ci/run) reuses the committed
  // results of the last full or incremental run and reruns only mutants whose code or covering
  // tests changed since. Commit stryker/incremental.json after changing code in scope.
  incremental: false,
  incrementalFile: 'stryker/incremental.json',
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
