// Chromium for browser tests, driven by playwright-core: CHROMIUM_PATH, else the system's
// (Debian's package at /usr/bin/chromium), else the one shipped inside the @sparticuz/chromium
// npm package (a dev dependency: its compressed binary is unpacked to the temp folder on first
// use), so `npm test` needs nothing but Node. Never skipped.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { studioRoot } from "../lib/paths.ts";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(studioRoot, "test-results", "screenshots");

/** Which Chromium the tests run, and where it came from. */
export async function findChromium(): Promise<{ path: string; from: "CHROMIUM_PATH" | "system" | "npm" }> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CHROMIUM_PATH names ${configured}, which does not exist.`);
    return { path: configured, from: "CHROMIUM_PATH" };
  }
  if (fs.existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, from: "system" };
  try {
    const { default: packaged } = await import("@sparticuz/chromium");
    return { path: await packaged.executablePath(), from: "npm" };
  } catch (error) {
    throw new Error(
      `No Chromium: none at ${SYSTEM_CHROMIUM}, and the @sparticuz/chromium package's could not be unpacked (${(error as Error).message}). Install one (Debian: apt-get install chromium) or set CHROMIUM_PATH. Browser tests do not skip.`,
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  const { path: executablePath } = await findChromium();
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when nothing sticks out sideways: the layout fits the viewport. */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * Signs the page's browser context in through the studio's sign-in link, as a person does
 * once: the server's Set-Cookie lands in the context's jar (shared by its pages and
 * `page.request`), with no page rendered on the way. Returns the page.
 */
export async function signIn(page: Page, studio: { signInUrl: string }): Promise<Page> {
  const response = await page.request.get(studio.signInUrl, { maxRedirects: 0 });
  const cookie = response.headers()["set-cookie"];
  if (response.status() !== 303 || !cookie) throw new Error(`sign-in link refused: ${response.status()}`);
  return page;
}

/**
 * A page at the given size and colour scheme, signed in to `studio`, that logs page errors and,
 * when `requested` is given, records every URL it asks for (tests check they all stay on loopback).
 */
export async function openPage(
  browser: Browser,
  studio: { signInUrl: string },
  options: { width?: number; height?: number; colorScheme?: "light" | "dark"; requested?: string[] } = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  if (options.requested) {
    const requested = options.requested;
    page.on("request", (request) => requested.push(request.url()));
  }
  page.on("pageerror", (error) => console.log(`[page error] ${error.message}`));
  return signIn(page, studio);
}

/** The text Monaco renders inside `scope` (it renders the visible lines only). */
export async function editorText(page: Page, scope: string): Promise<string> {
  const lines = page.locator(`${scope} .monaco-editor .view-lines`).first();
  await lines.waitFor({ timeout: 30_000 });
  return ((await lines.textContent()) ?? "").replace(/\u00a0/g, " ");
}
