// Chromium for browser tests: Debian's package, driven by playwright-core. Never skipped:
// a machine without Chromium fails here, loudly, with what to install.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { studioRoot } from "../lib/paths.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.join(studioRoot, "test-results", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH. Browser tests do not skip.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
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
