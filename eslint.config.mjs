// ESLint: Next.js's rules (core web vitals) and typescript-eslint's recommended set, plus the
// project's structure rules: no import cycle, no file in lib/ over 450 lines. `npm test` runs it
// with --max-warnings 0. eslint-config-next resolves imports as tsc does (the `@/` alias, `.ts`
// extensions), so the import rules see the whole graph.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import importCycles from "./scripts/lint/import-cycles.mjs";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      "lib/db/generated/**",
      ".next/**",
      "data/**",
      "test-results/**",
      "bench-results/**",
      ".cache/**",
      "next-env.d.ts",
    ],
  },
  {
    plugins: { local: importCycles },
    // Packages cannot import our files back, so the import rules need not parse them.
    settings: { "import/ignore": ["node_modules"] },
    rules: {
      // import/no-cycle skips type-only imports; local/no-type-import-cycle reports the cycles they close.
      "import/no-cycle": "error",
      "local/no-type-import-cycle": "error",
      // The code base marks a deliberately unused name with a leading underscore, and drops keys
      // from an object by destructuring them out (`const { a: _a, ...rest } = o`).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // Only says what the React Compiler would skip; this project does not run the compiler.
      "react-hooks/incompatible-library": "off",
    },
  },
  {
    files: ["lib/**"],
    rules: {
      // Counted as `wc -l` counts: every line, so the limit means what it says.
      "max-lines": ["error", { max: 450, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Routes are thin: a schema of their input and one lib/ call. UI code is never their business.
    files: ["app/api/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/components/*", "**/components/*"], message: "A route imports lib/, never components/." },
          ],
        },
      ],
    },
  },
  {
    // A harness is `export default { run, learn }` (the harness contract); seed harnesses, graders
    // and test harnesses are written the way a proposer writes them.
    files: ["examples/**", "tests/fixtures/**"],
    rules: {
      "import/no-anonymous-default-export": "off",
    },
  },
  {
    // Tests read recorded JSON and poke at fakes; a wrong guess about a shape fails the test itself.
    files: ["tests/**", "e2e/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
];

export default config;
