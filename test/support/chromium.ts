// Debian's headless Chromium for page tests, started the way this machine's closed network needs.
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

// Without the background-networking flags Chromium keeps dialling Google's hosts, which the network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches /usr/bin/chromium (Debian's package) headless through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
