// What the UI tests stand on: a real `jupyter lab` from the project's venv on a free localhost
// port with a token, in a temporary directory, with tsdl installed there the way
// `tsdl install --prefix` does it; Debian's headless Chromium driven by playwright-core; and
// small helpers for notebook cells. Everything waits on conditions, never on fixed sleeps.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(repo, 'test-artifacts', 'ui');
const venvBin = path.join(repo, '.venv', 'bin');
const kernelCli = path.join(repo, 'kernel', 'dist', 'src', 'cli.js');
const prebuilt = path.join(repo, 'labextension', 'tsdl_labextension', 'labextension');

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/**
 * Installs tsdl into `prefix` with the kernel's own CLI, which copies the prebuilt extension;
 * the tests need both, so a missing build is an error, not a skip.
 */
function installTsdl(prefix) {
  if (!existsSync(path.join(prebuilt, 'package.json'))) {
    throw new Error(`no prebuilt extension in ${prebuilt}: run 'npm run build -w labextension' first`);
  }
  if (!existsSync(kernelCli)) {
    throw new Error(`no kernel build at ${kernelCli}: run 'npx tsc -b kernel' first`);
  }
  execFileSync(process.execPath, [kernelCli, 'install', '--prefix', prefix], { stdio: 'pipe' });
  const installed = path.join(prefix, 'share', 'jupyter', 'labextensions', '@tsdl', 'labextension');
  if (!existsSync(path.join(installed, 'package.json'))) {
    throw new Error(`'tsdl install --prefix' did not install the extension into ${installed}`);
  }
}

/** Starts JupyterLab with tsdl installed in a fresh temporary directory. */
export async function startLab(notebooks) {
  const root = mkdtempSync(path.join(tmpdir(), 'tsdl-ui-'));
  const dirs = Object.fromEntries(
    ['prefix', 'notebooks', 'config', 'data', 'runtime', 'settings', 'workspaces'].map(d => {
      mkdirSync(path.join(root, d), { recursive: true });
      return [d, path.join(root, d)];
    })
  );
  installTsdl(dirs.prefix);
  for (const [name, nb] of Object.entries(notebooks)) {
    writeFileSync(path.join(dirs.notebooks, name), JSON.stringify(nb, null, 1));
  }
  // No news or update prompts over the notebook in screenshots.
  const notes = path.join(dirs.settings, '@jupyterlab', 'apputils-extension');
  mkdirSync(notes, { recursive: true });
  writeFileSync(path.join(notes, 'notification.jupyterlab-settings'), '{"fetchNews": "false", "checkForUpdates": false}');

  const env = {
    ...process.env,
    PATH: `${venvBin}:${process.env.PATH}`,
    JUPYTER_PATH: path.join(dirs.prefix, 'share', 'jupyter'),
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTERLAB_SETTINGS_DIR: dirs.settings,
    JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces
  };
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const logFile = path.join(root, 'jupyter.log');
  const log = openSync(logFile, 'w');
  const server = spawn(
    path.join(venvBin, 'jupyter'),
    [
      'lab', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${dirs.notebooks}`, '--LabApp.expose_app_in_browser=True', '--allow-root'
    ],
    { env, cwd: dirs.notebooks, stdio: ['ignore', log, log], detached: true }
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `token ${token}` };
  let exited = false;
  server.on('exit', () => (exited = true));
  await until(
    async () => {
      if (exited) throw new Error(`jupyter lab exited early; see ${logFile}`);
      return (await fetch(`${base}/api/status`, { headers })).ok;
    },
    90_000,
    'jupyter lab to answer'
  ).catch(err => {
    throw exited ? new Error(`jupyter lab exited early; see ${logFile}`) : err;
  });

  return {
    base, token, env, root, dirs, logFile,
    url: p => `${base}${p}${p.includes('?') ? '&' : '?'}token=${token}`,
    async stop() {
      // The server shuts its kernels down itself; the kill is for a server that hangs.
      await fetch(`${base}/api/shutdown`, { method: 'POST', headers }).catch(() => null);
      await until(async () => exited, 20_000, 'jupyter lab to exit').catch(() => {
        process.kill(-server.pid, 'SIGKILL');
      });
      if (process.env.TSDL_UI_KEEP) {
        console.log(`kept ${root}`);
      } else {
        rmSync(root, { recursive: true, force: true });
      }
    }
  };
}

/** Headless Chromium with the console errors and page errors collected. */
export async function startBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('console', m => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', e => errors.push(`page error: ${e.message}`));
  mkdirSync(artifacts, { recursive: true });
  return { browser, page, errors };
}

/** Opens a notebook on a clean workspace and waits until its cells are there. */
export async function openNotebook(page, lab, name) {
  await page.goto(lab.url(`/lab/tree/${name}?reset`));
  const panel = page.locator('.jp-NotebookPanel:visible');
  await panel.locator('.jp-Cell').first().waitFor({ timeout: 60_000 });
  return panel;
}

/**
 * Waits until the current notebook's kernel is connected and idle: a cell run before the
 * session has a kernel is dropped by JupyterLab, and a busy machine can take a while to start one.
 */
export async function waitForKernel(page) {
  await page.waitForFunction(
    () => {
      const kernel = window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
      return kernel?.connectionStatus === 'connected' && kernel.status === 'idle';
    },
    null,
    { timeout: 120_000, polling: 250 }
  );
}

/** A cell's source as the editor shows it, without the hint widgets. */
export async function cellSource(cell) {
  return cell.locator('.cm-content').evaluate(content =>
    Array.from(content.querySelectorAll('.cm-line'))
      .map(line => {
        const copy = line.cloneNode(true);
        copy.querySelectorAll('.tsdl-shape-hint').forEach(h => h.remove());
        return copy.textContent;
      })
      .join('\n')
  );
}

/** Runs one cell (Ctrl+Enter: run and stay) from its editor. */
export async function runCell(cell) {
  await cell.locator('.cm-content').click();
  await cell.page().keyboard.press('Control+Enter');
}
