import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/spawned-ledger';

/** Debian's chromium (installed by .ci/run): no browser is downloaded here. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const ARTIFACTS = join(__dirname, 'artifacts');
export const DASHBOARD_INDEX = join(REPO_ROOT, 'dist/dashboard/index.html');

export const launchChromium = (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
};

/** `npm run build` makes dist/dashboard; a browser test run on its own after `nest build` only makes it here. */
export const ensureDashboardBuilt = async (): Promise<void> => {
  if (existsSync(DASHBOARD_INDEX)) return;
  await new Promise<void>((resolve, reject) =>
    execFile('npm', ['run', 'build:dashboard'], { cwd: REPO_ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run build:dashboard failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    ),
  );
};

export const screenshot = async (page: Page, name: string): Promise<void> => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page. Its source goes in through the DevTools protocol (page.evaluate), not a script tag, so
 * the page's Content-Security-Policy stays as served.
 */
export const seriousAxeViolations = async (page: Page): Promise<string[]> => {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  // A string, not a function: this file is compiled without the DOM's types.
  const violations = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)")) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
};
