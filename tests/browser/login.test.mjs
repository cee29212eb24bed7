#!/usr/bin/env node
// Browser smoke test of the carewatch web UI, run against a live server.
//
//   CW_BASE_URL=http://127.0.0.1:18080 CW_ADMIN_USER=admin CW_ADMIN_PASSWORD=... node login.test.mjs
//
// Optional: CW_CHROMIUM (default /usr/bin/chromium), CW_TEST_TIMEOUT_MS (default 60000).
// Exit code 0 when every check passed, 1 on the first failed check (or the global
// timeout), 2 on a usage error. Screenshots go to ./out/ next to this file.
import { STEP_TIMEOUT_MS, baseUrlFromEnv, browserTest, check, signIn, usageError } from './browser.mjs'

const PRODUCT_NAME_ZH = '养老托育监管与信用平台'
const USAGE = 'CW_BASE_URL=http://127.0.0.1:18080 CW_ADMIN_USER=admin CW_ADMIN_PASSWORD=secret node login.test.mjs'
const t = browserTest('login', { timeoutMs: 60_000 })
const { step, pageErrors } = t

const BASE_URL = baseUrlFromEnv('login.test', USAGE)
const ADMIN_USER = process.env.CW_ADMIN_USER || ''
const ADMIN_PASSWORD = process.env.CW_ADMIN_PASSWORD || ''
if (!ADMIN_USER) usageError('login.test', USAGE, 'CW_ADMIN_USER is not set')
if (!ADMIN_PASSWORD) usageError('login.test', USAGE, 'CW_ADMIN_PASSWORD is not set')

let page = null

function bodyText() {
  return page.locator('body').innerText({ timeout: STEP_TIMEOUT_MS })
}

async function waitForPath(path) {
  await page.waitForURL((url) => url.pathname === path, { timeout: STEP_TIMEOUT_MS })
}

async function run() {
  await step('launch chromium', async () => {
    await t.launch()
    page = await t.newPage('admin', { viewport: { width: 1366, height: 820 } })
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
    await signIn(page, BASE_URL, ADMIN_USER, ADMIN_PASSWORD)
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
    await t.shot(page, 'dashboard')
  })

  await step('users page lists the admin account', async () => {
    await page.locator('[data-test="menu-users"]').click()
    await waitForPath('/admin/users')
    await page.locator('[data-test="users-table"]').waitFor({ state: 'visible' })
    const cell = page.locator('[data-test="users-table"] [data-test="cell-username"]', {
      hasText: new RegExp(`^\\s*${ADMIN_USER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`)
    })
    await cell.first().waitFor({ state: 'visible' })
    await t.shot(page, 'users')
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
    await t.shot(page, 'users-en')
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

await t.run(run, ` against ${BASE_URL}`)
