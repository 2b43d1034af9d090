// Browser and CLI tests start real studios; build the web app once, before any of them.
// STUDIO_TEST_NO_BUILD=1 skips it for quick runs of test files that start no studio.
import { studioRoot } from "../../lib/paths.ts";
import { ensureBuild } from "../../lib/server/build.ts";

export default async function setup() {
  if (process.env.STUDIO_TEST_NO_BUILD === "1") return;
  await ensureBuild(studioRoot, (line) => console.log(`[test build] ${line}`));
}
