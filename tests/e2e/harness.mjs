// harness.mjs - what every browser test script shares: the server address and screenshot folder
// from run.sh, the check/step counters, logging in, the console watch, Debian's chromium, and the RESULT
// line at the end.
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

// Logs page in as the demo account `user` (every demo account has the same password) and waits for the home page.
export async function login(page, user) {
  await page.goto(base + '/login');
  await page.fill('#username', user);
  await page.fill('#password', 'spotcheck-demo');
  await page.click('button[type=submit]');
  await page.waitForURL(base + '/');
}

// Collects into `errors` what must not happen on page: JavaScript errors and CSP reports in the console (a
// document answered 4xx, a refused form, is logged as "Failed to load resource" and expected), a sub-resource
// that fails to load, an uncaught exception.
export function watchErrors(page, who, errors) {
  page.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`${who}: ${m.text()}`); });
  page.on('response', r => { if (['stylesheet', 'script', 'image', 'font'].includes(r.request().resourceType()) && r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  page.on('pageerror', e => errors.push(`${who}: ${e.message}`));
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
