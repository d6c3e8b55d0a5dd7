/**
 * Studio in a real browser: Debian's Chromium (/usr/bin/chromium, installed with apt; .ci/run installs it) driven by
 * playwright-core, headless (with --no-sandbox when running as root, as CI does), against a real local stack.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSignInCode } from '../../../shared/auth';
import { ROOT } from '../support';

export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of every page (gitignored; CI keeps them as artifacts). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'studio');

export async function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium)`,
  );
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Opens the one-time sign-in URL the host's folder issues (as `npm start` prints it) and waits for the app. */
export async function signIn(page: Page, origin: string): Promise<void> {
  const code = await createSignInCode(ROOT);
  await page.goto(`${origin}/studio/?signin=${code}`);
  await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
  assert.doesNotMatch(page.url(), /signin=/, 'the code leaves the address bar once used');
}

const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2 A/AA scan of the page as it is: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  // A string, so this file needs no DOM types: it runs in the page.
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
