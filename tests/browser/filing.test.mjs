#!/usr/bin/env node
// Browser test of the filing (备案) loop, run against a live server with FRESH demo data (seed-demo):
//
//   inst.kangle submits the first filing of 康乐养老院 and attaches a PDF (备案材料) → mz.wangli sees the document
//   in the review drawer, downloads it and returns the filing (comment on `address`) →
//   inst.kangle sees the comment, corrects the address, resubmits → mz.wangli accepts (a filing number) →
//   inst.kangle files a change (capacity 100 → 120) → mz.wangli accepts → the institution's 版本记录 shows
//   2 versions and the diff 1 → 2 shows capacity 100 → 120.
//
//   CW_BASE_URL=http://127.0.0.1:18080 node filing.test.mjs
//
// Optional: CW_DEMO_PASSWORD (default Jiujiang#2026, the password of every demo account),
// CW_INST_USER (default inst.kangle), CW_OFFICER_USER (default mz.wangli), CW_CHROMIUM (default
// /usr/bin/chromium), CW_TEST_TIMEOUT_MS (default 120000), CW_SHOW_WARNINGS=1 (print browser console
// warnings too, not only errors).
// The loop works once per fresh database (the institution must still be unfiled).
// Exit code 0 when every check passed, 1 on the first failed check (or the global timeout), 2 on a usage
// error. Screenshots go to ./out/ next to this file (filing-*.png).
import { readFileSync } from 'node:fs'
import { STEP_TIMEOUT_MS, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn } from './browser.mjs'

const t = browserTest('filing', { timeoutMs: 120_000 })
const { step, pageErrors } = t

const BASE_URL = baseUrlFromEnv('filing.test', 'CW_BASE_URL=http://127.0.0.1:18080 [CW_DEMO_PASSWORD=...] node filing.test.mjs')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const INST_USER = process.env.CW_INST_USER || 'inst.kangle'
const OFFICER_USER = process.env.CW_OFFICER_USER || 'mz.wangli'

const INSTITUTION = '九江市濂溪区康乐养老院'
const FIRST_ADDRESS = '濂溪区十里大道'
const RETURN_REASON = '地址不完整，请填写到门牌号'
const CORRECT_ADDRESS = '九江市濂溪区十里大道 188 号'
const LEGAL_REP = '张康乐'
const LEGAL_REP_ID = '360402198001011231'
const DOCUMENT_NAME = '康乐养老院消防验收意见书.pdf'

/** A minimal one-page PDF (the server checks documents by content). */
function pdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'
  ]
  let out = '%PDF-1.4\n'
  const offsets = objects.map((body, i) => {
    const at = out.length
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
    return at
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

// ---------------------------------------------------------------- helpers

const login = (page, user) => signIn(page, BASE_URL, user, PASSWORD)
const shot = (page, name) => t.shot(page, name)

async function fillField(scope, field, value) {
  const input = scope.locator(sel(`field-${field}`))
  await input.waitFor({ state: 'visible' })
  await input.fill(value)
  await input.blur()
}

/** Picks an option of an Element Plus select by its visible label. */
async function selectOption(page, scope, field, label) {
  await scope.locator(sel(`field-${field}`)).click()
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first()
  await option.waitFor({ state: 'visible' })
  await option.click()
}

/** Waits until no visible dialog / drawer remains open with the given data-test. */
async function waitClosed(page, test) {
  await page.waitForFunction(
    (s) => ![...document.querySelectorAll(s)].some((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'),
    sel(test),
    { timeout: STEP_TIMEOUT_MS }
  )
}

async function openMyInstitution(page) {
  await page.locator(sel('menu-my-institution')).click()
  await page.waitForURL((url) => url.pathname === '/my-institution')
  await page.locator(sel('my-summary')).waitFor({ state: 'visible' })
  await page.locator(sel('my-name')).waitFor({ state: 'visible' })
}

async function refreshMyInstitution(page) {
  await expectApi(page, 'GET', /\/api\/v1\/filings$/, () => page.locator(sel('my-refresh')).click(), 'reload own filings')
  await page.waitForLoadState('networkidle').catch(() => {})
}

async function openFilingQueue(page) {
  if (new URL(page.url()).pathname !== '/filings') {
    await page.locator(sel('menu-filings')).click()
    await page.waitForURL((url) => url.pathname === '/filings')
  } else {
    await expectApi(page, 'GET', /\/api\/v1\/filings$/, () => page.locator(sel('filings-refresh')).click(), 'reload the queue')
  }
  await page.locator(sel('filings-table')).waitFor({ state: 'visible' })
}

/** Opens the submitted filing of the institution from the officer's queue (tab 待审核) in the drawer. */
async function openSubmittedFiling(page) {
  await openFilingQueue(page)
  // The row of the institution whose state is 待审核 (the queue may still show the previous list for a moment).
  const row = page
    .locator(`${sel('filings-table')} .el-table__body tr`, { hasText: INSTITUTION })
    .filter({ has: page.locator(sel('cell-state'), { hasText: '待审核' }) })
    .first()
  await row.waitFor({ state: 'visible' })
  await expectApi(page, 'GET', /\/api\/v1\/filings\/\d+$/, () => row.click(), 'open the filing')
  const drawer = page.locator(sel('filing-drawer'))
  await drawer.locator(`${sel('filing-detail')}[data-state="submitted"]`).waitFor({ state: 'visible' })
  return drawer
}

async function acceptOpenFiling(page, drawer) {
  await drawer.locator(sel('filing-accept')).click()
  const ok = page.locator('.el-message-box .cw-confirm-ok')
  await ok.waitFor({ state: 'visible' })
  const filing = await expectApi(page, 'POST', /\/api\/v1\/filings\/\d+\/accept$/, () => ok.click(), 'accept the filing')
  check(filing.state === 'accepted', `accept returned state ${filing.state}`)
  await drawer.locator(`${sel('filing-detail')}[data-state="accepted"]`).waitFor({ state: 'visible' })
  const no = (await drawer.locator(sel('filing-no')).innerText()).trim()
  check(/^MZ-\d{4}-\d{6}$/.test(no), `the accepted filing shows filing number "${no}", expected MZ-YYYY-NNNNNN`)
  return no
}

// ---------------------------------------------------------------- the loop

async function run() {
  let inst = null
  let officer = null
  let filingNo = ''

  await step('launch chromium', async () => {
    await t.launch()
    inst = await t.newPage(INST_USER)
    officer = await t.newPage(OFFICER_USER)
  })

  await step(`${INST_USER} signs in and sees the unfiled institution`, async () => {
    await login(inst, INST_USER)
    await openMyInstitution(inst)
    const name = (await inst.locator(sel('my-name')).innerText()).trim()
    check(name === INSTITUTION, `my institution is "${name}", expected ${INSTITUTION}`)
    const state = await inst.locator(sel('my-filing-state')).getAttribute('data-state')
    check(state === 'unfiled', `the institution is ${state}; this test needs a fresh database (seed-demo) where it is unfiled`)
    await inst.locator(sel('unfiled-notice')).waitFor({ state: 'visible' })
  })

  await step(`${INST_USER} submits the first filing (首次备案)`, async () => {
    await inst.locator(sel('filing-new')).click()
    const dialog = inst.locator(sel('filing-dialog'))
    await dialog.locator(sel('institution-form')).waitFor({ state: 'visible' })
    // An unfiled registration has no ownership yet: the first filing chooses it.
    await selectOption(inst, dialog, 'ownership', '民办非营利')
    await fillField(dialog, 'address', FIRST_ADDRESS)
    await fillField(dialog, 'legal_rep_name', LEGAL_REP)
    await fillField(dialog, 'legal_rep_id_number', LEGAL_REP_ID)
    await fillField(dialog, 'capacity', '100')
    await fillField(dialog, 'contact_phone', '0792-8123456')
    await shot(inst, '1-new-filing-form')
    const filing = await expectApi(inst, 'POST', /\/api\/v1\/filings$/, () => dialog.locator(sel('filing-submit')).click(), 'submit the new filing')
    check(filing.kind === 'new' && filing.state === 'submitted', `new filing came back as ${filing.kind}/${filing.state}`)
    await waitClosed(inst, 'filing-dialog')
    await inst.locator(sel('open-filing-notice')).waitFor({ state: 'visible' })
    await inst.locator(`${sel('my-filings-table')} ${sel('cell-state')}[data-state="submitted"]`).first().waitFor({ state: 'visible' })
  })

  await step(`${INST_USER} attaches a PDF to the submitted filing (备案材料)`, async () => {
    const card = inst.locator(sel('open-filing-documents'))
    await card.waitFor({ state: 'visible' })
    const input = card.locator(`${sel('document-upload')} input[type="file"]`)
    const doc = await expectApi(
      inst,
      'POST',
      /\/api\/v1\/filings\/\d+\/documents$/,
      () => input.setInputFiles({ name: DOCUMENT_NAME, mimeType: 'application/pdf', buffer: pdf() }),
      'upload the document'
    )
    check(doc.name === DOCUMENT_NAME && doc.media_type === 'application/pdf', `the upload came back as ${JSON.stringify(doc)}`)
    await card.locator(sel('document-name'), { hasText: DOCUMENT_NAME }).waitFor({ state: 'visible' })
    await shot(inst, '1b-document')
  })

  await step(`${OFFICER_USER} sees the filing and its document in 备案审核 and returns it with a comment on address`, async () => {
    await login(officer, OFFICER_USER)
    const drawer = await openSubmittedFiling(officer)
    const fields = await drawer.locator(`${sel('changes-table')} ${sel('change-field')}`).allInnerTexts()
    check(fields.map((f) => f.trim()).includes('address'), `the changes table lists ${fields.join(', ')} but not address`)
    const doc = drawer.locator(`${sel('documents-table')} .el-table__body tr`, { hasText: DOCUMENT_NAME })
    await doc.waitFor({ state: 'visible' })
    const downloading = officer.waitForEvent('download', { timeout: STEP_TIMEOUT_MS })
    await doc.locator(sel('document-download')).click()
    const download = await downloading
    check(download.suggestedFilename() === DOCUMENT_NAME, `the document downloads as ${download.suggestedFilename()}, expected ${DOCUMENT_NAME}`)
    const bytes = readFileSync(await download.path())
    check(bytes.equals(pdf()), `the downloaded document has ${bytes.length} bytes, not the ${pdf().length} uploaded`)
    await shot(officer, '2-review-drawer')
    await drawer.locator(sel('filing-return')).click()
    const dialog = officer.locator(sel('return-dialog'))
    await dialog.locator(sel('return-reason-address')).fill(RETURN_REASON)
    const filing = await expectApi(officer, 'POST', /\/api\/v1\/filings\/\d+\/return$/, () => dialog.locator(sel('return-submit')).click(), 'return the filing')
    check(filing.state === 'returned', `return gave state ${filing.state}`)
    check(filing.return_reasons && filing.return_reasons.address === RETURN_REASON, `return_reasons are ${JSON.stringify(filing.return_reasons)}`)
    await drawer.locator(`${sel('filing-detail')}[data-state="returned"]`).waitFor({ state: 'visible' })
    await drawer.locator(sel('return-reason-item-address')).waitFor({ state: 'visible' })
    await officer.keyboard.press('Escape')
    await waitClosed(officer, 'filing-drawer')
  })

  await step(`${INST_USER} sees the comment, corrects the address and resubmits`, async () => {
    await refreshMyInstitution(inst)
    const notice = inst.locator(sel('returned-notice'))
    await notice.waitFor({ state: 'visible' })
    const text = await notice.locator(sel('returned-reason-address')).innerText()
    check(text.includes(RETURN_REASON), `the returned notice shows "${text}", expected the reason "${RETURN_REASON}"`)
    await expectApi(inst, 'GET', /\/api\/v1\/filings\/\d+$/, () => notice.locator(sel('filing-resubmit')).click(), 'load the returned filing')
    const dialog = inst.locator(sel('filing-dialog'))
    await dialog.locator(sel('institution-form')).waitFor({ state: 'visible' })
    const item = dialog.locator(sel('item-address'))
    check(/\bcw-returned\b/.test((await item.getAttribute('class')) || ''), 'the address field is not highlighted in the correction form')
    const hint = await dialog.locator(sel('returned-address')).innerText()
    check(hint.includes(RETURN_REASON), `the address field shows "${hint}", expected the return reason`)
    const before = await dialog.locator(sel('field-address')).inputValue()
    check(before === FIRST_ADDRESS, `the correction form starts from address "${before}", expected the filed "${FIRST_ADDRESS}"`)
    await shot(inst, '3-correction-form')
    await fillField(dialog, 'address', CORRECT_ADDRESS)
    const filing = await expectApi(inst, 'POST', /\/api\/v1\/filings\/\d+\/resubmit$/, () => dialog.locator(sel('filing-submit')).click(), 'resubmit')
    check(filing.state === 'submitted' && filing.submissions === 2, `resubmit gave ${filing.state}, submission ${filing.submissions}`)
    check(filing.proposed && filing.proposed.address === CORRECT_ADDRESS, `the resubmitted address is ${filing.proposed && filing.proposed.address}`)
    await waitClosed(inst, 'filing-dialog')
    await inst.locator(sel('open-filing-notice')).waitFor({ state: 'visible' })
  })

  await step(`${OFFICER_USER} accepts the corrected filing and a filing number appears`, async () => {
    const drawer = await openSubmittedFiling(officer)
    const round = drawer.locator(`${sel('review-rounds')} ${sel('review-round-1')}`)
    await round.waitFor({ state: 'visible' })
    const history = await round.innerText()
    check(history.includes(RETURN_REASON) && history.includes(OFFICER_USER), `the return history shows "${history}"`)
    filingNo = await acceptOpenFiling(officer, drawer)
    await shot(officer, '4-accepted')
    await officer.keyboard.press('Escape')
    await waitClosed(officer, 'filing-drawer')
  })

  await step(`${INST_USER} sees the institution filed and files a change (capacity 100 → 120)`, async () => {
    await refreshMyInstitution(inst)
    await inst.locator(`${sel('my-filing-state')}[data-state="filed"]`).waitFor({ state: 'visible' })
    const no = (await inst.locator(sel('my-filing-no')).innerText()).trim()
    check(no === filingNo, `my institution shows filing number "${no}", expected ${filingNo}`)
    const address = (await inst.locator(sel('record-address')).innerText()).trim()
    check(address === CORRECT_ADDRESS, `the filed record shows address "${address}"`)
    await inst.locator(sel('filing-change')).click()
    const dialog = inst.locator(sel('filing-dialog'))
    await dialog.locator(sel('institution-form')).waitFor({ state: 'visible' })
    const capacity = await dialog.locator(sel('field-capacity')).inputValue()
    check(capacity === '100', `the change form starts from capacity "${capacity}", expected 100`)
    await fillField(dialog, 'capacity', '120')
    await dialog.locator(sel('filing-submit')).click()
    const confirm = inst.locator(sel('changes-confirm-dialog'))
    await confirm.locator(sel('changes-table')).waitFor({ state: 'visible' })
    const fields = (await confirm.locator(sel('change-field')).allInnerTexts()).map((s) => s.trim())
    check(fields.length === 1 && fields[0] === 'capacity', `the change preview lists [${fields.join(', ')}], expected [capacity]`)
    await shot(inst, '5-change-confirm')
    const filing = await expectApi(inst, 'POST', /\/api\/v1\/filings$/, () => confirm.locator(sel('changes-confirm')).click(), 'submit the change filing')
    check(filing.kind === 'change' && filing.state === 'submitted', `change filing came back as ${filing.kind}/${filing.state}`)
    check(Object.keys(filing.proposed || {}).length > 0 && filing.proposed.capacity === 120, `the change proposes capacity ${filing.proposed && filing.proposed.capacity}`)
    await waitClosed(inst, 'changes-confirm-dialog')
    await waitClosed(inst, 'filing-dialog')
    await inst.locator(sel('open-filing-notice')).waitFor({ state: 'visible' })
  })

  await step(`${OFFICER_USER} accepts the change filing`, async () => {
    const drawer = await openSubmittedFiling(officer)
    const rows = drawer.locator(`${sel('changes-table')} .el-table__body tr`)
    await rows.first().waitFor({ state: 'visible' })
    const fields = (await drawer.locator(sel('change-field')).allInnerTexts()).map((s) => s.trim())
    check(fields.length === 1 && fields[0] === 'capacity', `the change filing lists [${fields.join(', ')}], expected [capacity]`)
    const no = await acceptOpenFiling(officer, drawer)
    check(no === filingNo, `the change kept filing number ${no}, expected ${filingNo}`)
    await officer.keyboard.press('Escape')
    await waitClosed(officer, 'filing-drawer')
  })

  await step('the institution detail shows 2 versions and the diff 1 → 2 is capacity 100 → 120', async () => {
    await officer.locator(sel('menu-institutions')).click()
    await officer.waitForURL((url) => url.pathname === '/institutions')
    await officer.locator(sel('institutions-table')).waitFor({ state: 'visible' })
    await officer.locator(sel('filter-q')).fill('康乐')
    await expectApi(officer, 'GET', /\/api\/v1\/institutions$/, () => officer.locator(sel('institutions-search')).click(), 'search the directory')
    const link = officer.locator(`${sel('institutions-table')} ${sel('cell-name')}`, { hasText: INSTITUTION }).first()
    await link.waitFor({ state: 'visible' })
    await expectApi(officer, 'GET', /\/api\/v1\/institutions\/\d+$/, () => link.click(), 'open the institution')
    await officer.locator(sel('detail-name')).waitFor({ state: 'visible' })
    const version = (await officer.locator(sel('detail-version')).innerText()).trim()
    check(version === '2', `the institution is at version ${version}, expected 2`)
    const no = (await officer.locator(sel('detail-filing-no')).innerText()).trim()
    check(no === filingNo, `the detail shows filing number ${no}, expected ${filingNo}`)
    await expectApi(officer, 'GET', /\/api\/v1\/institutions\/\d+\/versions$/, () => officer.locator(sel('tab-versions')).click(), 'load versions')
    const versions = officer.locator(`${sel('versions-table')} ${sel('cell-version')}`)
    await versions.first().waitFor({ state: 'visible' })
    const list = (await versions.allInnerTexts()).map((s) => s.trim())
    check(list.join(',') === '1,2', `版本记录 lists versions [${list.join(', ')}], expected [1, 2]`)
    const diff = await expectApi(officer, 'GET', /\/api\/v1\/institutions\/\d+\/diff$/, () => officer.locator(sel('diff-run')).click(), 'diff versions')
    check(diff.from === 1 && diff.to === 2, `the diff compared ${diff.from} → ${diff.to}, expected 1 → 2`)
    const result = officer.locator(sel('diff-result'))
    await result.waitFor({ state: 'visible' })
    const rows = result.locator('.el-table__body tr')
    const n = await rows.count()
    check(n === 1, `the diff 1 → 2 has ${n} row(s), expected 1 (capacity)`)
    const field = (await rows.first().locator(sel('change-field')).innerText()).trim()
    const before = (await rows.first().locator(sel('change-before')).innerText()).trim()
    const after = (await rows.first().locator(sel('change-after')).innerText()).trim()
    check(field === 'capacity' && before === '100' && after === '120', `the diff row is ${field}: ${before} → ${after}, expected capacity: 100 → 120`)
    await shot(officer, '6-versions-diff')
  })

  await step('no uncaught errors in the pages', async () => {
    check(pageErrors.length === 0, `${pageErrors.length} uncaught page error(s):\n${pageErrors.join('\n')}`)
  })
}

await t.run(run, ` against ${BASE_URL}`)
