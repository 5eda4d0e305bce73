// harness.mjs - what every browser test script shares: the server address and screenshot folder
// from run.sh, the check/step counters, Debian's chromium, and the RESULT line at the end.
import { chromium } from 'playwright-core';

export const base = process.env.BASE, shots = process.env.SHOTS;
let passed = 0, failed = 0;

export function check(name, cond, detail = '') {
  if (cond) { passed++; console.log(`ok   ${name}`); }
  else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

// A step that throws (a timeout, a missing element) counts as one failure; the script goes on.
export async function step(name, fn) {
  try { await fn(); } catch (e) { failed++; console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`); }
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

export async function finish(browser) {
  await browser.close();
  console.log(`RESULT ${passed} ${failed}`);
  process.exit(failed ? 1 : 0);
}
