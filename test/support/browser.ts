import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';

const REPO = resolve(__dirname, '../..');

/** Where the browser tests look for Chromium: VECGATE_CHROMIUM, else Debian's package. */
function chromiumPath(): string | undefined {
  return [process.env.VECGATE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => !!p && existsSync(p),
  );
}

/** Runs scripts/install-chromium.sh (a no-op when Chromium is there), as .ci/run does. */
async function installChromium(): Promise<void> {
  const child = spawn('bash', [join(REPO, 'scripts', 'install-chromium.sh')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0)
    throw new Error(
      `Chromium is missing and scripts/install-chromium.sh failed (exit ${code}); install Debian's chromium or set VECGATE_CHROMIUM:\n${out}`,
    );
}

/**
 * Headless Chromium from the machine (Debian's package), driven by playwright-core: installed
 * first when missing. The flags keep it off the network (this machine's is closed: without them
 * it tries Google's hosts at every start) and out of a sandbox it cannot have as root.
 */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath()) await installChromium();
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium was not found after scripts/install-chromium.sh');
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
