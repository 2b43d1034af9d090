#!/usr/bin/env node
// `npx studio <command>`: loads the TypeScript CLI through tsx, so the CLI and the server
// share lib/ as it is in the repository, with no separate build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
