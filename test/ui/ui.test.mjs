// End-to-end UI tests of @tsdl/labextension: a real JupyterLab, the real tsdl kernel, Debian's
// headless Chromium. Assertions are on text, roles and data; screenshots go to
// test-artifacts/ui/ for people to look at, never compared.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { artifacts, cellSource, repo, openNotebook, runCell, startBrowser, startLab, waitForKernel } from './harness.mjs';
import { liveNotebook, savedOutputs } from './notebooks.mjs';

let lab;
let browser;
let page;
let errors;
/** Opens the inspector the way a user does: View > Tensor Inspector. */
async function openInspector() {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^View$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: 'Tensor Inspector' }).click();
}
const shot = name => page.screenshot({ path: path.join(artifacts, `${name}.png`) });

before(async () => {
  lab = await startLab({ 'saved-outputs.ipynb': savedOutputs(), 'live.ipynb': liveNotebook() });
  ({ browser, page, errors } = await startBrowser());
});

after(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('installation', () => {
  it('jupyter labextension list shows @tsdl/labextension enabled and OK', () => {
    const run = spawnSync(path.join(repo, '.venv', 'bin', 'jupyter'), ['labextension', 'list'], {
      env: lab.env,
      encoding: 'utf8'
    });
    // The list goes to stdout or stderr depending on the JupyterLab version.
    const text = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(text, /@tsdl\/labextension v\d+\.\d+\.\d+ enabled OK/, text);
  });
});

describe('renderers on saved outputs (python3 kernel)', () => {
  let panel;
  before(async () => {
    panel = await openNotebook(page, lab, 'saved-outputs.ipynb');
  });

  it('renders a tensor with its chips and values', async () => {
    const out = panel.locator('.jp-Cell').nth(0).locator('.tsdl-tensor');
    await out.waitFor();
    assert.deepEqual(await out.locator('.tsdl-chip').allTextContents(), ['[2, 3]', 'int32', 'cpu']);
    assert.deepEqual(await out.locator('table.tsdl-values td').allTextContents(), ['1', '2', '3', '4', '5', '6']);
  });

  it('colours a 2-D tensor when the heatmap is toggled', async () => {
    const out = panel.locator('.jp-Cell').nth(2).locator('.tsdl-tensor');
    const toggle = out.getByRole('button', { name: 'Heatmap' });
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await out.locator('td[data-heat]').count(), 144);
    await out.scrollIntoViewIfNeeded();
    await out.screenshot({ path: path.join(artifacts, 'tensor-heatmap.png') });
  });

  it('shows the shape error with the call underlined and the conflicting dims highlighted', async () => {
    const err = panel.locator('.jp-Cell').nth(1).locator('.tsdl-shape-error');
    await err.waitFor();
    assert.equal(await err.locator('.tsdl-se-call').textContent(), 'x.matmul(w)');
    assert.deepEqual(await err.locator('.tsdl-dim-conflict').allTextContents(), ['3', '4']);
    assert.equal(
      await err.locator('.tsdl-se-rule').textContent(),
      "matmul needs x's last dim (3) to equal w's second-to-last dim (4)."
    );
    await err.scrollIntoViewIfNeeded();
    await err.screenshot({ path: path.join(artifacts, 'shape-error.png') });
  });

  it('Apply rewrites the failing call in the cell, and Ctrl+Z undoes it', async () => {
    const cell = panel.locator('.jp-Cell').nth(1);
    await cell.getByRole('button', { name: /^Apply/ }).click();
    await cell.locator('.tsdl-se-status', { hasText: 'Applied' }).waitFor();
    assert.equal(await cellSource(cell), 'const w = ones([4, 3]);\nconst y = x.matmul(w.T);');
    await page.keyboard.press('Control+z');
    assert.equal(await cellSource(cell), 'const w = ones([4, 3]);\nconst y = x.matmul(w);');
  });

  it('the inspector explains that a python3 notebook has no tsdl tensors', async () => {
    await openInspector();
    const empty = page.locator('#tsdl-inspector .tsdl-empty');
    await empty.waitFor();
    assert.match(await empty.textContent(), /runs Python 3 \(ipykernel\)\. The tensor inspector works with the TypeScript \(tsdl\) kernel/);
    await shot('saved-outputs');
  });
});

describe('live tsdl kernel', () => {
  let panel;
  let cells;
  before(async () => {
    panel = await openNotebook(page, lab, 'live.ipynb');
    cells = panel.locator('.jp-Cell');
    await waitForKernel(page);
    await openInspector();
  });

  it('renders the value of x from the kernel', async () => {
    await runCell(cells.nth(0));
    const out = cells.nth(0).locator('.tsdl-tensor');
    await out.waitFor({ timeout: 90_000 });
    assert.equal(await out.locator('.tsdl-chip-shape').textContent(), '[2, 3]');
    assert.deepEqual(await out.locator('table.tsdl-values td').allTextContents(), ['1', '2', '3', '4', '5', '6']);
  });

  it('shows an inline shape hint on the line that assigns x', async () => {
    const hint = cells.nth(0).locator('.cm-line').nth(0).locator('.tsdl-shape-hint');
    await hint.waitFor();
    assert.equal(await hint.textContent(), '// [2, 3] int32');
  });

  it('lists x with shape [2, 3] in the inspector and previews it', async () => {
    const row = page.locator('#tsdl-inspector tr[data-name="x"]');
    await row.waitFor();
    assert.equal(await row.locator('.tsdl-col-shape').textContent(), '[2, 3]');
    assert.equal(await row.locator('.tsdl-col-dtype').textContent(), 'int32');
    await row.click();
    const preview = page.locator('#tsdl-inspector .tsdl-preview[data-kind="table"]');
    await preview.waitFor();
    assert.deepEqual(await preview.locator('td').allTextContents(), ['1', '2', '3', '4', '5', '6']);
    await shot('live-tensor-inspector-hints');
  });

  it('explains the matmul shape error with highlighted dims', async () => {
    await runCell(cells.nth(1));
    const err = cells.nth(1).locator('.tsdl-shape-error');
    await err.waitFor({ timeout: 60_000 });
    assert.equal(await err.locator('.tsdl-se-call').textContent(), 'x.matmul(w)');
    assert.deepEqual(await err.locator('.tsdl-dim-conflict').allTextContents(), ['3', '4']);
    await err.scrollIntoViewIfNeeded();
    await shot('live-shape-error');
  });

  it('Apply fixes the cell and the re-run succeeds', async () => {
    const cell = cells.nth(1);
    await cell.getByRole('button', { name: /^Apply/ }).click();
    await cell.locator('.tsdl-se-status', { hasText: 'Applied' }).waitFor();
    assert.equal(await cellSource(cell), 'const w = ones([4, 3]);\nconst y = x.matmul(w.T);\ny');
    await runCell(cell);
    const out = cell.locator('.tsdl-tensor');
    await out.waitFor({ timeout: 60_000 });
    assert.equal(await cell.locator('.tsdl-shape-error').count(), 0);
    assert.equal(await cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count(), 0);
    assert.equal(await out.locator('.tsdl-chip-shape').textContent(), '[2, 4]');
    assert.deepEqual(await out.locator('table.tsdl-values td').allTextContents(), ['6.', '6.', '6.', '6.', '15.', '15.', '15.', '15.']);
    const hints = cell.locator('.tsdl-shape-hint');
    await hints.nth(1).waitFor();
    assert.deepEqual(await hints.allTextContents(), ['// [4, 3] float32', '// [2, 4] float32']);
    await page.locator('#tsdl-inspector tr[data-name="y"]').waitFor();
    await shot('live-fixed');
  });

  it('clears the hints of a cell when it is edited', async () => {
    const cell = cells.nth(1);
    await cell.locator('.cm-line').nth(2).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' ');
    await assert.doesNotReject(() => cell.locator('.tsdl-shape-hint').first().waitFor({ state: 'detached' }));
  });

  it('previews image-shaped tensors as images and others as a histogram', async () => {
    await runCell(cells.nth(2));
    await page.locator('#tsdl-inspector tr[data-name="noise"]').waitFor({ timeout: 60_000 });
    await page.locator('#tsdl-inspector tr[data-name="images"]').click();
    const images = page.locator('#tsdl-inspector .tsdl-preview[data-kind="images"] canvas');
    await images.first().waitFor();
    assert.equal(await images.count(), 4);
    await shot('live-preview-images');
    await page.locator('#tsdl-inspector tr[data-name="noise"]').click();
    const bars = page.locator('#tsdl-inspector .tsdl-preview[data-kind="histogram"] [role="img"]');
    await bars.waitFor();
    assert.match(await bars.getAttribute('aria-label'), /^histogram of 500 values/);
  });

  it('shows no hints when they are turned off in the settings', async () => {
    const put = await fetch(lab.url('/lab/api/settings/@tsdl/labextension:shape-hints'), {
      method: 'PUT',
      body: JSON.stringify({ raw: '{"enabled": false}' })
    });
    assert.ok(put.ok, `settings PUT answered ${put.status}`);
    panel = await openNotebook(page, lab, 'live.ipynb');
    cells = panel.locator('.jp-Cell');
    await waitForKernel(page);
    await openInspector();
    await page.locator('#tsdl-inspector tr[data-name="x"]').waitFor({ timeout: 60_000 });
    await runCell(cells.nth(0));
    await cells.nth(0).locator('.tsdl-tensor').waitFor({ timeout: 60_000 });
    // The kernel answers this preview after the execution's shapes message, so once the
    // preview shows, any hint would have been drawn.
    await page.locator('#tsdl-inspector tr[data-name="x"]').click();
    await page.locator('#tsdl-inspector .tsdl-preview').waitFor();
    assert.equal(await cells.nth(0).locator('.tsdl-shape-hint').count(), 0);
  });

  it('follows the theme and logs no errors from the extension', async t => {
    await page.evaluate(() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }));
    await page.locator('body[data-jp-theme-light="false"]').waitFor({ state: 'attached' });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await shot('live-dark');
    const saved = await openNotebook(page, lab, 'saved-outputs.ipynb');
    await saved.locator('.tsdl-shape-error').screenshot({ path: path.join(artifacts, 'shape-error-dark.png') });
    // Errors of JupyterLab itself (e.g. a websocket that reconnects) are listed, not failed.
    for (const e of errors) t.diagnostic(`console error: ${e.slice(0, 200)}`);
    const ours = errors.filter(e => /tsdl/i.test(e) || e.startsWith('page error'));
    assert.deepEqual(ours, []);
  });
});
