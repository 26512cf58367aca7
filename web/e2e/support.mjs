// What the end-to-end files share: the browser, one context (cookie jar) per usuario, steps
// that stop after a failure, screenshots, and an API client with its own session.
//
// scripts/e2e.sh (`make e2e`) sets:
//   E2E_BASE_URL        where the binary serves the SPA and the API (http://127.0.0.1:PORT)
//   E2E_RESULTS_DIR     where screenshots go (default: web/test-results)
//   E2E_ADMIN_EMAIL     the bootstrap admin the service was started with
//   E2E_ADMIN_PASSWORD  (auth.bootstrap_admin_email / auth.bootstrap_admin_password)
//   CHROMIUM            the browser (default /usr/bin/chromium)

import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.E2E_BASE_URL ?? '').replace(/\/+$/, '');
if (!BASE) throw new Error('E2E_BASE_URL is not set: run scripts/e2e.sh (make e2e)');
export const API = `${BASE}/api/v1`;
export const ADMIN = { email: process.env.E2E_ADMIN_EMAIL ?? '', password: process.env.E2E_ADMIN_PASSWORD ?? '' };
if (!ADMIN.email || !ADMIN.password) throw new Error('E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD are not set: run scripts/e2e.sh (make e2e)');

const RESULTS = process.env.E2E_RESULTS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
export const SHOTS = join(RESULTS, 'e2e');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** The cookie of the web session (HttpOnly, SameSite=Strict). */
export const COOKIE = 'solicitudes_sesion';

/** Unique per run, so reruns against the same database never collide. */
export const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

let browser;
const contexts = [];
const shotCount = new Map();

/** e2e/<folder>/, emptied the first time this run uses it. */
function shotsDir(folder) {
  const dir = join(SHOTS, folder);
  if (!shotCount.has(folder)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    shotCount.set(folder, 0);
  }
  return dir;
}
/** JavaScript errors seen in any page. */
export const pageErrors = [];
let failed = null;
/** The page to photograph when a step fails (the one the step was driving). */
let lastPage = null;

before(async () => {
  const args = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
});

/**
 * A fresh browser profile (its own cookies): one per usuario and device, as if on their own
 * computer. Returns its page, with `page.shot(name)`: a screenshot into e2e/<folder>/.
 */
export async function openBrowser(folder) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'es-ES', timezoneId: 'Europe/Madrid' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => pageErrors.push(`${folder}: ${e.message}`));
  page.on('console', (m) => {
    // Failed requests (401, 404, 422, 412 on purpose) are logged by Chromium as errors: not ours.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${folder}: ${m.text()}`);
  });
  const dir = shotsDir(folder);
  /** Saves the whole page as e2e/<folder>/NN-name.png (numbered per folder). */
  page.shot = async (name) => {
    const n = (shotCount.get(folder) ?? 0) + 1;
    shotCount.set(folder, n);
    lastPage = page;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  page.folder = dir;
  lastPage = page;
  return page;
}

/** Marks the page a step is driving (for the FAILED screenshot). */
export function driving(page) {
  lastPage = page;
  return page;
}

/** A step of the walk: skipped after a failure; a failure leaves FAILED-name.png. */
export function step(name, fn) {
  test(name, { timeout: 90_000 }, async (t) => {
    if (failed) {
      t.skip(`after the failure of «${failed}»`);
      return;
    }
    try {
      await fn(t);
    } catch (error) {
      failed = name;
      const safe = name.replace(/[^a-z0-9áéíóúñ]+/gi, '-').slice(0, 60);
      try {
        const file = join(lastPage?.folder ?? SHOTS, `FAILED-${safe}.png`);
        await lastPage?.screenshot({ path: file, fullPage: true });
        t.diagnostic(`screenshot: ${file}`);
      } catch {
        // the browser may be gone
      }
      throw error;
    }
  });
}

/** The main navigation's link with exactly this name. */
export const nav = (page, name) => page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name, exact: true });

/** The names of the main navigation's links. */
export const navNames = async (page) => page.getByRole('navigation', { name: 'Principal' }).getByRole('link').allInnerTexts();

/** Logs in through the login form (the page must be on it, or be sent to it). */
export async function loginUi(page, email, password) {
  await page.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  await page.getByLabel(/^Email( \*)?$/).fill(email);
  await page.getByLabel(/^Contraseña( \*)?$/).fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('usuario-actual').filter({ hasText: email }).waitFor();
}

/** The session cookie of a page's browser, as the browser keeps it. */
export async function sessionCookie(page) {
  return (await page.context().cookies(BASE)).find((c) => c.name === COOKIE);
}

/**
 * An API client with its own web session (the cookie the SPA uses), so that the tests prepare
 * data and check the server's word exactly as the browser would: cookie + X-Requested-With.
 */
export async function apiAs(email, password) {
  const res = await fetch(`${API}/auth/cookie`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: JSON.stringify({ username: email, password }),
  });
  assert.equal(res.status, 200, `logging in as ${email}: ${res.status} ${await res.clone().text()}`);
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  assert.ok(set, `POST /auth/cookie sets ${COOKIE}`);
  return withCookie(set.split(';')[0]);
}

/** An API client sending the given `name=value` cookie (or none). */
export function withCookie(cookie) {
  return async function api(method, path, body, headers = {}) {
    const res = await fetch(`${API}${path}`, {
      method,
      headers: {
        'X-Requested-With': 'XMLHttpRequest',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(cookie ? { Cookie: cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** The focused element, described (to check focus management). */
export const focused = (page) =>
  page.evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}:${document.activeElement?.textContent?.trim().slice(0, 60)}`);
