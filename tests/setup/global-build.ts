// Browser and CLI tests start real studios; build the web app once, before any of them.
import { studioRoot } from "../../lib/paths.ts";
import { ensureBuild } from "../../lib/server/build.ts";

export default async function setup() {
  await ensureBuild(studioRoot, (line) => console.log(`[test build] ${line}`));
}
