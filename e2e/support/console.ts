import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { projectRoot } from '../../server/database/project-root';

const execFileAsync = promisify(execFile);
const ROOT = projectRoot();
const ADMIN_DIR = join(ROOT, 'admin');
const BUILT_INDEX = join(ROOT, 'dist', 'admin', 'index.html');

/**
 * Where each test saves its screenshot: test-results/screenshots/<name>.png, or the README's
 * docs/screenshots/ when run with `SCREENSHOTS_DIR=docs/screenshots` (so a plain `npm test` leaves the tree clean).
 */
export const SCREENSHOTS_DIR = join(ROOT, process.env.SCREENSHOTS_DIR ?? join('test-results', 'screenshots'));

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Builds the console into dist/admin with Vite when it is missing or older than its sources (about 5 s),
 * so the browser tests always drive the code in admin/, and `npm test` on a fresh clone needs no build step.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= newestSource(ADMIN_DIR)) return;
  // Vite's own command, as `npm run build:admin` runs it; NODE_ENV=production (vitest's "test" would give React's
  // development bundle).
  await execFileAsync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ADMIN_DIR, 'vite.config.mts'), '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Signs in through the console's own login page and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.locator('input[name="username"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toMatch(/^\/admin\/?$/);
}

/**
 * Collects what would make a page wrong without failing a click: uncaught errors, console errors
 * (Content-Security-Policy violations among them) and failed API calls other than those a test expects.
 */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { errors };
}
