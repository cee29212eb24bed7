#!/usr/bin/env node
// Browser test of the bulk import (批量导入) and the directory export, run against a live server with demo data
// (seed-demo):
//
//   mz.wangli opens 机构名录 → 批量导入 and imports a CSV of 4 institutions, one with a wrong credit-code check
//   character → the import is refused: the error table names exactly that row (credit_code) and the directory
//   finds none of the good names → the same file again with 部分导入 on → 3 imported, the bad row still listed →
//   the directory finds the 3 → 导出 Excel of that search downloads 机构名录.xlsx.
//
//   CW_BASE_URL=http://127.0.0.1:18080 node import.test.mjs
//
// Optional: CW_DEMO_PASSWORD (default Jiujiang#2026, the password of every demo account), CW_OFFICER_USER
// (default mz.wangli), CW_CHROMIUM (default /usr/bin/chromium), CW_TEST_TIMEOUT_MS (default 120000),
// CW_SHOW_WARNINGS=1 (print browser console warnings too, not only errors).
// Every run uses fresh credit codes and names, so the test can run again on the same database.
// Exit code 0 when every check passed, 1 on the first failed check (or the global timeout), 2 on a usage
// error. Screenshots go to ./out/ next to this file (import-*.png).
import { readFileSync } from 'node:fs'
import { randomInt } from 'node:crypto'
import { CheckFailed, STEP_TIMEOUT_MS, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn } from './browser.mjs'

const JOB_TIMEOUT_MS = 60_000
const t = browserTest('import', { timeoutMs: 120_000 })
const { step, pageErrors } = t

const BASE_URL = baseUrlFromEnv('import.test', 'CW_BASE_URL=http://127.0.0.1:18080 [CW_DEMO_PASSWORD=...] node import.test.mjs')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const OFFICER_USER = process.env.CW_OFFICER_USER || 'mz.wangli'

let page = null

// ---------------------------------------------------------------- test data

// 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999) with valid check characters.
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

function creditCode(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(first17[i]) * CREDIT_WEIGHTS[i]
  return first17 + CREDIT_CHARS[(31 - (sum % 31)) % 31]
}

function residentId(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return first17 + '10X98765432'[sum % 11]
}

// Positions 1-2 民政 / 社会服务机构, 3-8 the region (濂溪区), then a per-run organisation code.
const RUN = Array.from({ length: 5 }, () => CREDIT_CHARS[randomInt(CREDIT_CHARS.length)]).join('')
const TAG = `导入${RUN}`
const ROWS = [1, 2, 3, 4].map((n) => ({
  code: creditCode(`52360402MJ${RUN}${String(n).padStart(2, '0')}`),
  name: `九江市濂溪区${TAG}养老院${n}号`,
  idNumber: residentId(`3604021975060${n}12${n}`)
}))
// The third data row (file row 4: the header is row 1) carries a wrong check character.
const BAD = 2
const BAD_FILE_ROW = BAD + 2
{
  const code = ROWS[BAD].code
  const wrong = CREDIT_CHARS[(CREDIT_CHARS.indexOf(code[17]) + 1) % CREDIT_CHARS.length]
  ROWS[BAD].code = code.slice(0, 17) + wrong
}
const GOOD = ROWS.filter((_, i) => i !== BAD)

// Headers as the export writes them (the Chinese labels), except one given by its field name.
function csv() {
  const header = ['统一社会信用代码', '机构名称', '机构类型', '举办性质', 'region_code', '地址', '法定代表人', '法定代表人身份证号码', '床位数/托位数']
  const lines = ROWS.map((r, i) =>
    [r.code, r.name, 'elderly_institution', 'private_nonprofit', '360402', `九江市濂溪区十里大道 ${100 + i} 号`, '测试人', r.idNumber, String(30 + i * 10)].join(',')
  )
  return Buffer.from('\uFEFF' + [header.join(','), ...lines].join('\r\n') + '\r\n', 'utf8')
}

// ---------------------------------------------------------------- helpers

const login = (user) => signIn(page, BASE_URL, user, PASSWORD)
const expectPageApi = (...args) => expectApi(page, ...args)
const shot = (name) => t.shot(page, name)

async function openDirectory() {
  if (new URL(page.url()).pathname !== '/institutions') {
    await page.locator(sel('menu-institutions')).click()
    await page.waitForURL((url) => url.pathname === '/institutions')
  }
  await page.locator(sel('institutions-table')).waitFor({ state: 'visible' })
}

/** Searches the directory by name; returns the API answer ({ items, total }). */
async function searchDirectory(text) {
  await openDirectory()
  await page.locator(sel('filter-q')).fill(text)
  const data = await expectPageApi('GET', /\/api\/v1\/institutions$/, () => page.locator(sel('institutions-search')).click(), 'search the directory')
  await page.waitForLoadState('networkidle').catch(() => {})
  return data
}

async function openImport() {
  await openDirectory()
  await page.locator(sel('institutions-import')).click()
  await page.waitForURL((url) => url.pathname === '/institutions/import')
  await page.locator(sel('import-page')).waitFor({ state: 'visible' })
}

/** Chooses the CSV, sets 部分导入, starts the import and waits until the job has ended; returns the job card. */
async function runImport(partial) {
  await page.locator(`${sel('import-file')} input[type="file"]`).setInputFiles({ name: `机构导入-${RUN}.csv`, mimeType: 'text/csv', buffer: csv() })
  const box = page.locator(`${sel('import-partial')} input[type="checkbox"]`)
  if ((await box.isChecked()) !== partial) await page.locator(sel('import-partial')).click()
  check((await box.isChecked()) === partial, `部分导入 is ${partial ? 'not ' : ''}ticked`)
  const started = await expectPageApi('POST', /\/api\/v1\/institutions\/import$/, () => page.locator(sel('import-start')).click(), 'start the import')
  check(typeof started.job_id === 'string' && started.job_id, `the import answered ${JSON.stringify(started)}, expected a job_id`)
  const job = page.locator(sel('import-job'))
  await page.waitForFunction(
    (s) => ['done', 'failed', 'interrupted'].includes(document.querySelector(s)?.getAttribute('data-state')),
    sel('import-job'),
    { timeout: JOB_TIMEOUT_MS }
  )
  const state = await job.getAttribute('data-state')
  if (state !== 'done') {
    const text = (await job.innerText()).replace(/\s+/g, ' ')
    throw new CheckFailed(`the import job ended ${state}: ${text}`)
  }
  return job
}

/** The rows and fields of the import's error table (every page of it). */
async function errorTable(job) {
  const table = job.locator(sel('import-errors'))
  await table.waitFor({ state: 'visible' })
  const rows = (await table.locator(sel('error-row')).allInnerTexts()).map((s) => Number(s.trim()))
  const fields = (await table.locator(sel('error-field')).allInnerTexts()).map((s) => s.trim())
  return { rows, fields }
}

// ---------------------------------------------------------------- the test

async function run() {
  await step('launch chromium', async () => {
    await t.launch()
    page = await t.newPage(OFFICER_USER, { acceptDownloads: true })
  })

  await step(`${OFFICER_USER} signs in and opens 批量导入 from the directory`, async () => {
    await login(OFFICER_USER)
    await openImport()
    await page.locator(sel('import-columns')).waitFor({ state: 'visible' })
  })

  await step(`a file with a bad credit code in row ${BAD_FILE_ROW} is refused, naming that row`, async () => {
    const job = await runImport(false)
    const alert = job.locator(sel('import-rejected'))
    await alert.waitFor({ state: 'visible' })
    const title = (await alert.innerText()).trim()
    check(title.includes('发现 1 行有误') && title.includes('未写入任何数据'), `the rejection says "${title}"`)
    check((await job.locator(sel('import-imported')).count()) === 0, 'a refused import also shows imported rows')
    const { rows, fields } = await errorTable(job)
    check(rows.length === 1 && rows[0] === BAD_FILE_ROW, `the error table lists rows [${rows.join(', ')}], expected [${BAD_FILE_ROW}]`)
    check(fields.length === 1 && fields[0] === 'credit_code', `the error table lists fields [${fields.join(', ')}], expected [credit_code]`)
    const message = (await job.locator(sel('error-message')).first().innerText()).trim()
    check(message.includes('check character'), `the error reason is "${message}", expected the check character`)
    await shot('1-rejected')
  })

  await step('the refused import wrote nothing: the directory finds none of the good names', async () => {
    for (const r of GOOD) {
      const data = await searchDirectory(r.name)
      check(data.total === 0, `the directory finds ${data.total} institution(s) named ${r.name} after a refused import`)
    }
    await page.locator(`${sel('institutions-table')} .el-table__empty-text`).waitFor({ state: 'visible' })
  })

  await step('the same file with 部分导入 writes the 3 good rows and still names the bad one', async () => {
    await openImport()
    const job = await runImport(true)
    const imported = job.locator(sel('import-imported'))
    await imported.waitFor({ state: 'visible' })
    const text = (await imported.innerText()).trim()
    check(text.includes(`已导入 ${GOOD.length} 家机构`), `the import says "${text}", expected ${GOOD.length} imported`)
    await job.locator(sel('import-skipped')).waitFor({ state: 'visible' })
    const { rows } = await errorTable(job)
    check(rows.length === 1 && rows[0] === BAD_FILE_ROW, `the partial import lists bad rows [${rows.join(', ')}], expected [${BAD_FILE_ROW}]`)
    await shot('2-partial')
  })

  await step('the directory finds the imported institutions, filed', async () => {
    for (const r of GOOD) {
      const data = await searchDirectory(r.name)
      check(data.total === 1 && data.items[0].credit_code === r.code, `the directory finds ${JSON.stringify(data.items)} for ${r.name}`)
      const name = (await page.locator(`${sel('institutions-table')} ${sel('cell-name')}`).first().innerText()).trim()
      check(name === r.name, `the directory shows "${name}", expected ${r.name}`)
      const state = (await page.locator(`${sel('institutions-table')} ${sel('cell-filing-state')}`).first().innerText()).trim()
      check(state === '已备案', `${r.name} is "${state}", expected 已备案`)
    }
    const all = await searchDirectory(TAG)
    check(all.total === GOOD.length, `the directory finds ${all.total} institution(s) for ${TAG}, expected ${GOOD.length}`)
    const bad = await searchDirectory(ROWS[BAD].name)
    check(bad.total === 0, `the bad row ${ROWS[BAD].name} was written`)
    await searchDirectory(TAG)
    await shot('3-directory')
  })

  await step('导出 Excel downloads the search as 机构名录.xlsx', async () => {
    const downloading = page.waitForEvent('download', { timeout: STEP_TIMEOUT_MS })
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/institutions/export.xlsx')
    await page.locator(sel('institutions-export')).click()
    const response = await answer
    check(response.status() === 200, `the export returned HTTP ${response.status()}`)
    const query = new URL(response.url()).searchParams
    check(query.get('q') === TAG && !query.has('page'), `the export asked for ${response.url()}, expected q=${TAG} and no page`)
    check(response.headers()['x-row-count'] === String(GOOD.length), `the export has ${response.headers()['x-row-count']} rows, expected ${GOOD.length}`)
    const download = await downloading
    check(download.suggestedFilename() === '机构名录.xlsx', `the download is named ${download.suggestedFilename()}`)
    const bytes = readFileSync(await download.path())
    check(bytes.subarray(0, 2).toString('latin1') === 'PK', 'the download is not an XLSX (zip) file')
  })

  await step('no uncaught errors in the page', async () => {
    check(pageErrors.length === 0, `${pageErrors.length} uncaught page error(s):\n${pageErrors.join('\n')}`)
  })
}

await t.run(run, ` against ${BASE_URL} (run ${RUN})`)
