// The browser tests' Chromium, found (or unpacked from its npm package) once, before any test
// file runs: parallel test files then share it instead of unpacking it side by side.
import { findChromium } from "../../e2e/browser.ts";

export default async function setup() {
  const chromium = await findChromium();
  process.env.CHROMIUM_PATH = chromium.path;
  if (chromium.from === "npm")
    console.log(`[test setup] no system Chromium: using @sparticuz/chromium's, ${chromium.path}`);
}
