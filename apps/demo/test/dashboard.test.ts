import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDemo } from './helpers.js';

function chromiumPath(): string {
  const path =
    process.env.CHROMIUM_PATH ??
    (() => {
      try {
        return execSync('which chromium', { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    })();
  if (!path || !existsSync(path))
    throw new Error(
      'Chromium not found: apt-get install chromium (or set CHROMIUM_PATH). .ci/run installs it.',
    );
  return path;
}

let demo: Awaited<ReturnType<typeof startDemo>>;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => demo?.stop());

describe('dashboard in headless Chromium', () => {
  it('chats with streaming drafts and decisions, and updates the live panels', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(demo.url);
      await expect(page.locator('#mode').textContent()).resolves.toMatch(/Replay mode/);
      // Nothing is shown before signing in with the admin key.
      await page.locator('#signin').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('#app').isVisible()).toBe(false);
      await page.fill('#admin-key', 'not-the-key-at-all');
      await page.click('#signin button');
      await page.locator('#signin-error', { hasText: 'Wrong admin key' }).waitFor({ timeout: 10_000 });
      await page.fill('#admin-key', ADMIN_KEY);
      await page.click('#signin button');
      await page.locator('#app').waitFor({ state: 'visible', timeout: 10_000 });
      await page.locator('.example').first().waitFor({ timeout: 10_000 });
      await page.fill('#chat-input', demo.question);
      await page.click('#chat-send');
      await page.locator('#chat-log .answer').waitFor({ timeout: 15_000 });
      const log = await page.locator('#chat-log').textContent();
      expect(log).toMatch(/gpt-4o-mini: /);
      expect(log).toMatch(/(accepted|rejected): gpt-4o-mini/);
      await page.locator('#requests-table tbody tr').first().waitFor({ timeout: 10_000 });
      expect(await page.locator('#cost').textContent()).toMatch(/Your requests: 1 requests: \$/);
      // The whole recorded test split's figure stands beside the live one.
      expect(await page.locator('#recorded').textContent()).toMatch(
        /^On all \d+ recorded test questions: \d+\.\d% of gpt-4o's quality at \d+\.\d% of its cost/,
      );
      expect(await page.locator('#tier-share').textContent()).toMatch(/gpt-4o-mini: \d/);
      expect(await page.locator('#calibration').textContent()).toMatch(
        /Calibrated at start on the recorded train split/,
      );
      // an example button sends a recorded question
      await page.locator('.example').first().click();
      await page.waitForFunction("document.querySelectorAll('#chat-log .answer').length >= 2", undefined, {
        timeout: 15_000,
      });
      const shot = join(mkdtempSync(join(tmpdir(), 'cf-shot-')), 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
