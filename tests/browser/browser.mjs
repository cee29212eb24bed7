// Shared by the browser tests: Debian's Chromium, headless, with the flags that keep it off the closed network, and
// the harness every test runs in (numbered steps, a global timeout, failure screenshots, the summary line that
// scripts/test prints, exit codes 0 passed / 1 failed / 2 usage).
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CHROMIUM = process.env.CW_CHROMIUM || '/usr/bin/chromium'
export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out')
export const STEP_TIMEOUT_MS = 15_000

export function launchChromium(executablePath = CHROMIUM) {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run'
    ]
  })
}

export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailed(message)
}

export const sel = (test) => `[data-test="${test}"]`

/** Prints the problem and the usage line, and exits 2. */
export function usageError(name, usage, message) {
  console.error(`${name}: ${message}`)
  console.error(`usage: ${usage}`)
  process.exit(2)
}

/** CW_BASE_URL without a trailing slash; a usage error when it is missing or not http(s). */
export function baseUrlFromEnv(name, usage) {
  const url = (process.env.CW_BASE_URL || '').replace(/\/+$/, '')
  if (!url) usageError(name, usage, 'CW_BASE_URL is not set')
  if (!/^https?:\/\//.test(url)) usageError(name, usage, `CW_BASE_URL must start with http:// or https:// (got ${url})`)
  return url
}

/**
 * One browser test. `name` prefixes messages and screenshots (e.g. "draws" -> out/draws-*.png); the global timeout
 * is CW_TEST_TIMEOUT_MS or `timeoutMs`. Call `run(body)` once, at the end of the module: it runs the steps, prints
 * PASS/FAIL and the "browser: n passed, m failed" line, and exits.
 */
export function browserTest(name, { timeoutMs }) {
  const testName = `${name}.test`
  const globalTimeoutMs = Number(process.env.CW_TEST_TIMEOUT_MS) || timeoutMs
  const pages = {} // label -> page, for failure screenshots
  const pageErrors = []
  let browser = null
  let passed = 0
  let finished = false

  async function closeBrowser() {
    if (!browser) return
    const b = browser
    browser = null
    await Promise.race([b.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))])
  }

  async function saveFailureScreenshots() {
    for (const [label, page] of Object.entries(pages)) {
      try {
        const file = join(OUT_DIR, `${name}-failure-${label.replace(/[^\w.-]/g, '_')}.png`)
        await page.screenshot({ path: file, fullPage: true, timeout: 5000 })
        console.error(`${testName}: failure screenshot of ${label} saved to ${file}`)
      } catch {
        /* the page may be gone */
      }
    }
  }

  async function fail(message) {
    console.error(`FAIL: ${testName}: ${message}`)
    console.error(`browser: ${passed} passed, 1 failed`)
    await saveFailureScreenshots()
  }

  return {
    pageErrors,

    async step(title, fn) {
      const started = Date.now()
      try {
        await fn()
      } catch (e) {
        const reason = e instanceof CheckFailed ? e.message : `${e && e.name ? e.name + ': ' : ''}${e && e.message ? e.message : e}`
        throw new CheckFailed(`step "${title}" failed: ${reason}`)
      }
      passed += 1
      console.log(`ok ${passed} - ${title} (${Date.now() - started} ms)`)
    },

    note(message) {
      console.log(`  # ${message}`)
    },

    async launch() {
      browser = await launchChromium(CHROMIUM)
      return browser
    },

    /**
     * A page in its own browser context (own cookies), with the step timeouts, its uncaught errors collected into
     * pageErrors and its console errors printed (warnings too with CW_SHOW_WARNINGS=1).
     */
    async newPage(label, contextOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', ...contextOptions })
      const page = await context.newPage()
      page.setDefaultTimeout(STEP_TIMEOUT_MS)
      page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS)
      page.on('pageerror', (err) => {
        pageErrors.push(`[${label}] ${String(err && err.stack ? err.stack : err)}`)
        console.error(`${testName}: uncaught page error (${label}): ${err}`)
      })
      page.on('console', (msg) => {
        if (msg.type() === 'error' || process.env.CW_SHOW_WARNINGS) console.log(`  (browser console ${msg.type()}, ${label}) ${msg.text()}`)
      })
      pages[label] = page
      return page
    },

    async shot(page, shotName) {
      await page.screenshot({ path: join(OUT_DIR, `${name}-${shotName}.png`), fullPage: true })
    },

    async run(body, passDetail = '') {
      mkdirSync(OUT_DIR, { recursive: true })
      const globalTimer = setTimeout(async () => {
        if (finished) return
        finished = true
        await fail(`global timeout of ${globalTimeoutMs} ms exceeded after ${passed} passed step(s)`)
        await closeBrowser()
        process.exit(1)
      }, globalTimeoutMs)
      let exitCode = 0
      try {
        await body()
        console.log(`PASS: ${testName}${passDetail}; screenshots in ${OUT_DIR}`)
        console.log(`browser: ${passed} passed, 0 failed`)
      } catch (e) {
        exitCode = 1
        if (!finished) await fail(e && e.message ? e.message : e)
      } finally {
        await closeBrowser()
      }
      if (!finished) {
        finished = true
        clearTimeout(globalTimer)
        process.exit(exitCode)
      }
    }
  }
}

/** Signs `user` in on the login page and waits for the dashboard; the page's own error text when it refuses. */
export async function signIn(page, baseUrl, user, password) {
  const response = await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' })
  check(response && response.ok(), `GET /login returned HTTP ${response && response.status()}`)
  await page.locator(sel('login-username')).fill(user)
  await page.locator(sel('login-password')).fill(password)
  await page.locator(sel('login-submit')).click()
  try {
    await page.locator(sel('dashboard')).waitFor({ state: 'visible' })
  } catch (e) {
    const err = page.locator(sel('login-error'))
    if (await err.count()) throw new CheckFailed(`sign-in of ${user} failed, the page says: ${(await err.innerText()).trim()}`)
    throw e
  }
}

/** Runs `action` and waits for the API response it causes; fails with the server's message unless 2xx. */
export async function expectApi(page, method, pathPattern, action, what) {
  const waiting = page.waitForResponse(
    (r) => r.request().method() === method && pathPattern.test(new URL(r.url()).pathname),
    { timeout: STEP_TIMEOUT_MS }
  )
  await action()
  const response = await waiting
  if (response.status() < 200 || response.status() >= 300) {
    let body = ''
    try {
      body = await response.text()
    } catch {
      /* ignore */
    }
    throw new CheckFailed(`${what}: ${method} ${new URL(response.url()).pathname} returned HTTP ${response.status()} ${body}`)
  }
  return response.json().catch(() => ({}))
}
