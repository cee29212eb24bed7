#!/usr/bin/env node
// Browser smoke test of the carewatch web UI, run against a live server.
//
//   CW_BASE_URL=http://127.0.0.1:18080 CW_ADMIN_USER=admin CW_ADMIN_PASSWORD=... node login.test.mjs
//
// Optional: CW_CHROMIUM (default /usr/bin/chromium), CW_TEST_TIMEOUT_MS (default 60000).
// Exit code 0 when every check passed, 1 on the first failed check (or the global
// timeout), 2 on a usage error. Screenshots go to ./out/ next to this file.
import { CHROMIUM, launchChromium } from './browser.mjs'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const OUT_DIR = join(HERE, 'out')
const GLOBAL_TIMEOUT_MS = Number(process.env.CW_TEST_TIMEOUT_MS) || 60_000
const STEP_TIMEOUT_MS = 15_000
const PRODUCT_NAME_ZH = '养老托育监管与信用平台'

function usage(message) {
  console.error(`login.test: ${message}`)
  console.error('usage: CW_BASE_URL=http://127.0.0.1:18080 CW_ADMIN_USER=admin CW_ADMIN_PASSWORD=secret node login.test.mjs')
  process.exit(2)
}

const BASE_URL = (process.env.CW_BASE_URL || '').replace(/\/+$/, '')
const ADMIN_USER = process.env.CW_ADMIN_USER || ''
const ADMIN_PASSWORD = process.env.CW_ADMIN_PASSWORD || ''
if (!BASE_URL) usage('CW_BASE_URL is not set')
if (!/^https?:\/\//.test(BASE_URL)) usage(`CW_BASE_URL must start with http:// or https:// (got ${BASE_URL})`)
if (!ADMIN_USER) usage('CW_ADMIN_USER is not set')
if (!ADMIN_PASSWORD) usage('CW_ADMIN_PASSWORD is not set')

let browser = null
let page = null
let passed = 0
let finished = false
const pageErrors = []

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message)
}

async function step(name, fn) {
  const started = Date.now()
  try {
    await fn()
  } catch (e) {
    const reason = e instanceof CheckFailed ? e.message : `${e && e.name ? e.name + ': ' : ''}${e && e.message ? e.message : e}`
    throw new CheckFailed(`step "${name}" failed: ${reason}`)
  }
  passed += 1
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`)
}

async function closeBrowser() {
  if (!browser) return
  const b = browser
  browser = null
  await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))])
}

async function saveFailureScreenshot() {
  if (!page) return
  try {
    const file = join(OUT_DIR, 'failure.png')
    await page.screenshot({ path: file, fullPage: true, timeout: 5000 })
    console.error(`login.test: failure screenshot saved to ${file}`)
  } catch {
    /* the page may be gone */
  }
}

const globalTimer = setTimeout(async () => {
  if (finished) return
  finished = true
  console.error(`FAIL: login.test: global timeout of ${GLOBAL_TIMEOUT_MS} ms exceeded after ${passed} passed step(s)`)
  console.error(`browser: ${passed} passed, 1 failed`)
  await saveFailureScreenshot()
  await closeBrowser()
  process.exit(1)
}, GLOBAL_TIMEOUT_MS)

function bodyText() {
  return page.locator('body').innerText({ timeout: STEP_TIMEOUT_MS })
}

async function waitForPath(path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: STEP_TIMEOUT_MS })
}

async function run() {
  mkdirSync(OUT_DIR, { recursive: true })
  const executablePath = CHROMIUM

  await step('launch chromium', async () => {
    browser = await launchChromium(executablePath)
    const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale: 'zh-CN' })
    page = await context.newPage()
    page.setDefaultTimeout(STEP_TIMEOUT_MS)
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS)
    page.on('pageerror', (err) => {
      pageErrors.push(String(err && err.stack ? err.stack : err))
      console.error(`login.test: uncaught page error: ${err}`)
    })
    page.on('console', (msg) => {
      // 401 from GET /api/v1/auth/me before login is expected; only report, never fail on console output.
      if (msg.type() === 'error') console.log(`  (browser console error) ${msg.text()}`)
    })
  })

  await step('open /login (Chinese by default)', async () => {
    const response = await page.goto(`${BASE_URL}/login`, { waitUntil: 'domcontentloaded' })
    check(response && response.ok(), `GET /login returned HTTP ${response && response.status()}`)
    await page.locator('[data-test="login-username"]').waitFor({ state: 'visible' })
    const text = await bodyText()
    check(text.includes(PRODUCT_NAME_ZH), `login page does not show the product name "${PRODUCT_NAME_ZH}"`)
    check(text.includes('登录'), 'login page does not show the Chinese word 登录')
  })

  await step('sign in as admin', async () => {
    await page.locator('[data-test="login-username"]').fill(ADMIN_USER)
    await page.locator('[data-test="login-password"]').fill(ADMIN_PASSWORD)
    await page.locator('[data-test="login-submit"]').click()
    try {
      await page.locator('[data-test="dashboard"]').waitFor({ state: 'visible' })
    } catch (e) {
      const err = page.locator('[data-test="login-error"]')
      if (await err.count()) throw new CheckFailed(`login failed, the page says: ${(await err.innerText()).trim()}`)
      throw e
    }
    await waitForPath('/')
  })

  await step('dashboard shows Chinese text and the admin menu', async () => {
    const text = await bodyText()
    check(text.includes(PRODUCT_NAME_ZH), `dashboard does not show "${PRODUCT_NAME_ZH}"`)
    check(text.includes('工作台'), 'dashboard does not show 工作台')
    check(text.includes('系统管理员'), 'dashboard does not show the role label 系统管理员')
    const users = page.locator('[data-test="menu-users"]')
    await users.waitFor({ state: 'visible' })
    check((await users.innerText()).includes('用户管理'), 'admin menu has no 用户管理 item')
    const audit = page.locator('[data-test="menu-audit"]')
    check((await audit.innerText()).includes('审计日志'), 'admin menu has no 审计日志 item')
    // The sample chart has been drawn on a canvas.
    await page.locator('[data-test="dashboard-chart"] canvas').first().waitFor({ state: 'attached' })
    await page.waitForTimeout(600) // let the chart's entry animation finish before the screenshot
    await page.screenshot({ path: join(OUT_DIR, 'dashboard.png'), fullPage: true })
  })

  await step('users page lists the admin account', async () => {
    await page.locator('[data-test="menu-users"]').click()
    await waitForPath('/admin/users')
    await page.locator('[data-test="users-table"]').waitFor({ state: 'visible' })
    const cell = page.locator('[data-test="users-table"] [data-test="cell-username"]', {
      hasText: new RegExp(`^\\s*${ADMIN_USER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`)
    })
    await cell.first().waitFor({ state: 'visible' })
    await page.screenshot({ path: join(OUT_DIR, 'users.png'), fullPage: true })
  })

  await step('switch language to English', async () => {
    await page.locator('[data-test="lang-switch"]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: STEP_TIMEOUT_MS })
    const users = page.locator('[data-test="menu-users"]')
    await page.waitForFunction(
      () => (document.querySelector('[data-test="menu-users"]')?.textContent || '').includes('Users'),
      null,
      { timeout: STEP_TIMEOUT_MS }
    )
    check((await users.innerText()).includes('Users'), 'menu item is not "Users" after switching to English')
    const text = await bodyText()
    check(text.includes('Sign out'), 'no English "Sign out" button after switching language')
    check(!text.includes('用户管理'), 'Chinese menu text is still shown after switching to English')
    const stored = await page.evaluate(() => window.localStorage.getItem('cw.locale'))
    check(stored === 'en', `language choice not stored in localStorage (cw.locale=${stored})`)
  })

  await step('reload keeps the session (GET /auth/me) and the language', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' })
    await waitForPath('/admin/users')
    await page.locator('[data-test="users-table"]').waitFor({ state: 'visible' })
    await page.waitForFunction(
      () => (document.querySelector('[data-test="menu-users"]')?.textContent || '').includes('Users'),
      null,
      { timeout: STEP_TIMEOUT_MS }
    )
    await page.screenshot({ path: join(OUT_DIR, 'users-en.png'), fullPage: true })
  })

  await step('sign out returns to /login', async () => {
    await page.locator('[data-test="logout"]').click()
    await waitForPath('/login')
    await page.locator('[data-test="login-username"]').waitFor({ state: 'visible' })
  })

  await step('after sign-out a protected page redirects to /login', async () => {
    await page.goto(`${BASE_URL}/admin/users`, { waitUntil: 'domcontentloaded' })
    await waitForPath('/login')
    const redirect = new URL(page.url()).searchParams.get('redirect')
    check(redirect === '/admin/users', `expected redirect=/admin/users, got ${redirect}`)
    await page.locator('[data-test="login-username"]').waitFor({ state: 'visible' })
  })

  await step('no uncaught errors in the page', async () => {
    check(pageErrors.length === 0, `${pageErrors.length} uncaught page error(s):\n${pageErrors.join('\n')}`)
  })
}

let exitCode = 0
try {
  await run()
  console.log(`PASS: login.test against ${BASE_URL}; screenshots in ${OUT_DIR}`)
  console.log(`browser: ${passed} passed, 0 failed`)
} catch (e) {
  exitCode = 1
  if (!finished) {
    console.error(`FAIL: login.test: ${e && e.message ? e.message : e}`)
    console.error(`browser: ${passed} passed, 1 failed`)
    await saveFailureScreenshot()
  }
} finally {
  await closeBrowser()
}
if (!finished) {
  finished = true
  clearTimeout(globalTimer)
  process.exit(exitCode)
}
