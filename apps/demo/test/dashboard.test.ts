import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate, loadRecords, saveCalibrationFile } from '@cascadeflow/eval';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PRICES, startDevUpstream } from './dev-upstream.js';
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

const launch = () =>
  chromium.launch({
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

describe('dashboard in headless Chromium', () => {
  it('chats with streaming drafts and decisions, and updates the live panels', async () => {
    const browser = await launch();
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

describe('the calibration panel in live mode, in headless Chromium', () => {
  it('shows the live calibration, its records and bounds, and the recording, then a refused reload', async () => {
    const ladder = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
    const train = await loadRecords(
      fileURLToPath(new URL('../../../packages/eval/fixtures/mmlu_qwen_oai_train.jsonl.gz', import.meta.url)),
    );
    const upstream = await startDevUpstream(train, ladder);
    const dir = mkdtempSync(join(tmpdir(), 'cf-dash-cal-'));
    const file = join(dir, 'calibration.json');
    await saveCalibrationFile(file, calibrate(train, { ladder, targetQuality: 0.95 }), {
      records: train.length,
      labelledBy: 'dataset',
    });
    const live = await startDemo({
      mode: 'live',
      live: { baseURL: upstream.openaiBaseURL, ladder, threshold: 0.75, prices: DEV_PRICES },
      calibration: file,
      recording: { file: join(dir, 'records.jsonl'), sampleRate: 1, budgetUsd: 1 },
    });
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${live.url}/#admin=${encodeURIComponent(ADMIN_KEY)}`);
      await page.locator('#app').waitFor({ state: 'visible', timeout: 10_000 });
      const panel = page.locator('#calibration');
      await panel.filter({ hasText: 'Live calibration' }).waitFor({ timeout: 10_000 });
      const text = (await panel.textContent()) ?? '';
      expect(text).toContain(file);
      expect(text).toMatch(/150 records labelled by dataset; ladder gpt-4o-mini → .*gpt-4o/);
      expect(text).toMatch(
        /Expected quality \d+\.\d% \(≥ \d+\.\d% with 90% confidence\), cost \d+\.\d% of the strongest model \(≤ \d+\.\d%\)/,
      );
      expect(text).toMatch(/Recording: 0 records written/);
      // A broken file is refused; the panel says so and the calibration stays. The watcher notices within a
      // second; the panel reads the stats when the page loads or an event comes.
      writeFileSync(file, '{"format":"cascadeflow.calibration","version":1}');
      for (let k = 0; k < 100; k++) {
        const stats = (await (
          await fetch(`${live.url}/api/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
        ).json()) as { calibration: { reloadError: string | null } };
        if (stats.calibration.reloadError) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.reload();
      await panel.filter({ hasText: 'refused' }).waitFor({ timeout: 10_000 });
      expect(await panel.textContent()).toMatch(/The last change of the file was refused: .*version/);
      expect(await panel.textContent()).toMatch(/150 records labelled by dataset/);
    } finally {
      await browser.close();
      await live.stop();
      await upstream.close();
    }
  });
});
