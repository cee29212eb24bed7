import { chromium } from 'playwright-core'
const B = 'http://127.0.0.1:18800', P = 'Jiujiang#2026'
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] })
async function as(user, locale='zh-CN') {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale })
  const page = await ctx.newPage()
  page.on('pageerror', e => console.log('PAGEERROR', user, String(e)))
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') console.log('console', m.type(), user, m.text().slice(0, 300)) })
  await page.goto(B + '/login'); await page.fill('[data-test="login-username"]', user); await page.fill('[data-test="login-password"]', P)
  await page.click('[data-test="login-submit"]'); await page.waitForSelector('[data-test="dashboard"]')
  return page
}
const s = (p, n) => p.screenshot({ path: `/tmp/shots/${n}.png`, fullPage: true })
const mode = process.argv[2]
try {
if (mode === 'dir') {
  const p = await as('mz.wangli')
  await s(p, 'dash-officer')
  await p.click('[data-test="menu-institutions"]'); await p.waitForSelector('[data-test="institutions-table"] [data-test="cell-name"]'); await p.waitForTimeout(500)
  await s(p, 'dir')
  // sort by capacity desc
  await p.click('th:has-text("床位/托位数") .caret-wrapper .descending'); await p.waitForLoadState('networkidle'); await p.waitForTimeout(300)
  console.log('url', p.url()); console.log((await p.locator('[data-test="cell-capacity"]').allInnerTexts()).join(','))
  // region filter 濂溪区
  await p.click('[data-test="filter-region"]'); await p.click('.el-select-dropdown__item:visible:has-text("濂溪区")'); await p.click('[data-test="institutions-search"]'); await p.waitForLoadState('networkidle'); await p.waitForTimeout(300)
  console.log('url', p.url()); console.log((await p.locator('[data-test="cell-name"]').allInnerTexts()).join(','))
  await p.goto(B + '/institutions?region=360400&sector=childcare'); await p.waitForSelector('[data-test="institutions-table"]'); await p.waitForLoadState('networkidle'); await p.waitForTimeout(300)
  console.log('childcare', (await p.locator('[data-test="cell-name"]').allInnerTexts()).join(','))
  await s(p, 'dir-childcare')
  // register dialog
  await p.click('[data-test="institution-register"]'); await p.waitForSelector('[data-test="register-dialog"] [data-test="institution-form"]')
  await p.click('[data-test="register-submit"]'); await p.waitForTimeout(500); await s(p, 'register-invalid')
  const d = p.locator('[data-test="register-dialog"]')
  await d.locator('[data-test="field-credit_code"]').fill('52360402MJA5K2818A') // duplicate credit code
  await d.locator('[data-test="field-name"]').fill('测试养老院')
  await d.locator('[data-test="field-region_code"]').click(); await p.click('.el-select-dropdown__item:visible:has-text("浔阳区")')
  await d.locator('[data-test="field-ownership"]').click(); await p.click('.el-select-dropdown__item:visible:has-text("公办")')
  await d.locator('[data-test="field-address"]').fill('浔阳区某路 1 号')
  await d.locator('[data-test="field-legal_rep_name"]').fill('李四')
  await d.locator('[data-test="field-legal_rep_id_number"]').fill('360402198001011231')
  await d.locator('[data-test="field-capacity"]').fill('50')
  await d.locator('[data-test="licence-add"]').click()
  await d.locator('[data-test="licence-row-0"] .el-select').click(); await p.click('.el-select-dropdown__item:visible:has-text("食品经营许可")')
  await d.locator('[data-test="licence-number-0"]').fill('JY123')
  await p.click('[data-test="register-submit"]'); await p.waitForTimeout(800); await s(p, 'register-dup')
  console.log('err', await d.locator('[data-test="register-error"]').count() ? await d.locator('[data-test="register-error"]').innerText() : 'none', '| field errors:', (await d.locator('.el-form-item__error').allInnerTexts()).join(' / '))
  await d.locator('[data-test="field-credit_code"]').fill('52360403MA35XXXXXX')
  await p.click('[data-test="register-submit"]'); await p.waitForTimeout(500)
  console.log('field errors:', (await d.locator('.el-form-item__error').allInnerTexts()).join(' / '))
}
if (mode === 'detail') {
  const p = await as('mz.wangli')
  await p.goto(B + '/institutions/3'); await p.waitForSelector('[data-test="detail-name"]'); await p.waitForTimeout(400)
  await s(p, 'detail')
  await p.click('[data-test="reveal-id"]'); await p.waitForSelector('.el-message-box'); await s(p, 'reveal-confirm'); await p.click('.el-message-box .cw-confirm-ok')
  await p.waitForSelector('[data-test="hide-id"]'); console.log('id', await p.innerText('[data-test="legal-rep-id"]'))
  await p.click('[data-test="detail-edit"]'); await p.waitForSelector('[data-test="edit-dialog"] [data-test="institution-form"]')
  const d = p.locator('[data-test="edit-dialog"]')
  await d.locator('[data-test="field-capacity"]').fill('185')
  await d.locator('[data-test="field-contact_name"]').fill('王经理')
  await p.click('[data-test="edit-submit"]'); await p.waitForSelector('[data-test="changes-confirm-dialog"] [data-test="changes-table"]'); await p.waitForTimeout(300)
  await s(p, 'edit-confirm')
  await p.click('[data-test="changes-confirm"]'); await p.waitForTimeout(800)
  console.log('version', await p.innerText('[data-test="detail-version"]'))
  // nursing beds > capacity server/client validation
  await p.click('[data-test="detail-edit"]'); await d.locator('[data-test="field-nursing_beds"]').fill('999'); await p.click('[data-test="edit-submit"]'); await p.waitForTimeout(400)
  console.log('client errors:', (await d.locator('.el-form-item__error').allInnerTexts()).join(' / '))
  await d.locator('.el-dialog__footer button').first().click(); await p.waitForTimeout(500)
  await p.click('#tab-versions'); await p.waitForSelector('[data-test="diff-run"]'); await p.click('[data-test="diff-run"]'); await p.waitForSelector('[data-test="diff-result"]'); await p.waitForTimeout(300)
  await s(p, 'detail-versions')
  await p.click('[data-test="version-view-1"]'); await p.waitForTimeout(500); await s(p, 'version-view')
  // childcare institution as MZ officer: no edit button
  await p.goto(B + '/institutions/8'); await p.waitForSelector('[data-test="detail-name"]'); console.log('edit on childcare for MZ:', await p.locator('[data-test="detail-edit"]').count(), 'reveal:', await p.locator('[data-test="reveal-id"]').count())
}
if (mode === 'others') {
  const p = await as('mz.liuqiang')
  console.log('inspector menu', (await p.locator('[data-test="side-menu"] .el-menu-item').allInnerTexts()).join(','))
  await p.click('[data-test="menu-licences"]'); await p.waitForSelector('[data-test="licences-table"] [data-test="cell-days-left"]'); await p.waitForTimeout(300); await s(p, 'licences')
  await p.click('[data-test="licences-days-180"]'); await p.waitForLoadState('networkidle'); await p.waitForTimeout(300); console.log('count180', await p.innerText('[data-test="licences-count"]'))
  await p.goto(B + '/filings'); await p.waitForTimeout(500); console.log('inspector /filings ->', p.url())
  const a = await as('admin')
  console.log('admin menu', (await a.locator('[data-test="side-menu"] .el-menu-item').allInnerTexts()).join(','))
  await a.click('[data-test="menu-filings"]'); await a.waitForSelector('[data-test="filings-readonly"]'); await a.click('#tab-all'); await a.waitForLoadState('networkidle'); await a.waitForTimeout(300)
  await s(a, 'admin-filings')
  const rows = a.locator('[data-test="filings-table"] .el-table__body tr'); console.log('admin rows', await rows.count())
  if (await rows.count()) { await rows.first().click(); await a.waitForSelector('[data-test="filing-detail"]'); await a.waitForTimeout(800); await s(a, 'admin-filing-drawer'); console.log('buttons', await a.locator('[data-test="filing-accept"]').count()) }
  const i = await as('inst.kangle', 'en-US')
  await i.click('[data-test="lang-switch"]'); await i.waitForTimeout(300)
  await s(i, 'inst-dash-en')
  await i.click('[data-test="menu-my-institution"]'); await i.waitForSelector('[data-test="my-name"]'); await i.waitForTimeout(500); await s(i, 'inst-my-en')
  await i.goto(B + '/institutions'); await i.waitForTimeout(500); console.log('inst /institutions ->', i.url())
  const b = await as('sj.credit')
  console.log('bureau menu', (await b.locator('[data-test="side-menu"] .el-menu-item').allInnerTexts()).join(','))
  await b.goto(B + '/institutions/1'); await b.waitForSelector('[data-test="detail-name"]'); await b.waitForTimeout(300); console.log('bureau edit', await b.locator('[data-test="detail-edit"]').count()); await s(b, 'bureau-detail')
}
if (mode === 'cancel') {
  const i = await as('inst.kangle')
  await i.click('[data-test="menu-my-institution"]'); await i.waitForSelector('[data-test="filing-cancel"]')
  await i.click('[data-test="filing-cancel"]'); await i.click('[data-test="cancel-submit"]'); await i.waitForTimeout(300)
  console.log('cancel err', await i.innerText('[data-test="cancel-error"]'))
  await i.fill('[data-test="cancel-reason"]', '机构停业'); await i.click('[data-test="cancel-submit"]'); await i.waitForSelector('[data-test="open-filing-notice"]')
  const o = await as('mz.wangli')
  await o.click('[data-test="menu-filings"]'); await o.locator('[data-test="filings-table"] .el-table__body tr').first().click()
  await o.waitForSelector('[data-test="filing-return"]'); await o.waitForTimeout(500); await s(o, 'cancel-drawer')
  await o.click('[data-test="filing-return"]'); await o.click('[data-test="return-submit"]'); await o.waitForTimeout(300)
  console.log('return err', await o.innerText('[data-test="return-error"]'))
  await o.click('[data-test="return-add-field"]'); await o.click('.el-select-dropdown__item:visible:has-text("capacity")'); await o.waitForTimeout(200)
  await o.fill('[data-test="return-reason-capacity"]', '床位数核对'); await o.fill('[data-test="return-reason-general"]', '请补充停业证明'); await s(o, 'return-dialog')
  await o.click('[data-test="return-submit"]'); await o.waitForTimeout(800)
  await i.click('[data-test="my-refresh"]'); await i.waitForSelector('[data-test="returned-notice"]'); await i.waitForTimeout(300); await s(i, 'cancel-returned')
  await i.click('[data-test="filing-resubmit"]'); await i.waitForSelector('[data-test="cancel-dialog"] [data-test="cancel-reason"]'); await i.waitForTimeout(300); await s(i, 'cancel-resubmit')
  await i.fill('[data-test="cancel-reason"]', '机构停业，附停业证明'); await i.click('[data-test="cancel-submit"]'); await i.waitForTimeout(800)
  await o.click('[data-test="filings-refresh"]'); await o.waitForTimeout(500); await o.locator('[data-test="filings-table"] .el-table__body tr').first().click()
  await o.waitForSelector('[data-test="filing-accept"]'); await o.waitForTimeout(300); await o.click('[data-test="filing-accept"]'); await o.click('.el-message-box .cw-confirm-ok'); await o.waitForTimeout(800)
  await i.click('[data-test="my-refresh"]'); await i.waitForTimeout(800); console.log('state', await i.getAttribute('[data-test="my-filing-state"]', 'data-state')); await s(i, 'cancelled')
  await o.goto(B + '/institutions/1'); await o.waitForSelector('[data-test="detail-name"]'); console.log('edit btn', await o.locator('[data-test="detail-edit"]').count())
}
} catch (e) { console.log('ERR', e.message) }
await browser.close()
