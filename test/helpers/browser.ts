// Opens a page in a real headless browser (Debian's Chromium, driven by puppeteer-core) and
// reports what a user would see: console errors, page errors, the result of a script run in
// the page once its charts are drawn, and a screenshot.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export interface PageVisit<T> {
  errors: string[];
  result: T;
  screenshot: Uint8Array;
}

/**
 * Loads `file` offline (every request that is not file: is blocked and counted as an error),
 * waits for window.nucseg.ready (every chart drawn), runs `probe` in the page, takes a
 * full-page screenshot.
 */
export async function visitPage<T>(file: string, probe: () => T | Promise<T>): Promise<PageVisit<T>> {
  if (!CHROMIUM) throw new Error('no Chromium: apt-get install chromium (scripts/test-packages.txt)');
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${(e as Error).message}`));
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (r.url().startsWith('file:') || r.url().startsWith('data:')) void r.continue();
      else {
        errors.push(`network request: ${r.url()}`);
        void r.abort();
      }
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.evaluate(() => (window as unknown as { nucseg: { ready: Promise<unknown> } }).nucseg.ready);
    const result = (await page.evaluate(probe)) as T;
    const screenshot = await page.screenshot({ fullPage: true, type: 'png' });
    return { errors, result, screenshot };
  } finally {
    await browser.close();
  }
}
