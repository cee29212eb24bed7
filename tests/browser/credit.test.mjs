// The credit acceptance chain (信用) in the browser (Debian's Chromium, headless), against `carewatch serve` on a freshly
// seeded database (CW_DB_NAME names it: the test moves a record back in time with `scripts/db client`):
//   赵丽 cannot decide the blacklist proposal of 修水县颐康养老服务中心 (overdue major fire hazard) while its objection window
//   is open → 颐康 opens 我的信用, sees the notice and files an objection → 赵丽 may now decide, and lists it → the bureau's
//   信用核查 for a subsidy says 限制, the path running to 财政 → 财政 (李娜) accepts its feedback task for 颐康 and feeds back
//   → the entity page shows grade D and draw risk tier D → the hazard record is moved back past its 12-month minimum
//   publication period → 颐康 applies for repair with rectification and pledge → 王丽 approves → the blacklist entry is
//   gone and the check says 允许 → the public blacklist shows 湓城 but not 颐康 → the bureau downloads a credit report and
//   the public verification page finds it by number and matches the file's SHA-256.
// Exit code 0 when every check passed, 1 on the first failed check, 2 on a usage error.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CheckFailed, OUT_DIR, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn, usageError } from './browser.mjs'

const t = browserTest('credit', { timeoutMs: 120_000 })
const { step, note, pageErrors } = t

const USAGE = 'CW_BASE_URL=http://127.0.0.1:18080 CW_DB_NAME=<the server\'s database> [CW_DEMO_PASSWORD=...] node credit.test.mjs'
const BASE_URL = baseUrlFromEnv('credit.test', USAGE)
const DB_NAME = process.env.CW_DB_NAME || ''
if (!/^[A-Za-z0-9_]{1,64}$/.test(DB_NAME)) usageError('credit.test', USAGE, 'CW_DB_NAME (the database the server runs on) is not set or not a database name')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const YIKANG = '修水县颐康养老服务中心'
const PENCHENG = '瑞昌市湓城街道综合养老服务中心'
const GANTANG = '九江市浔阳区甘棠社区日间照料中心' // not otherwise part of this test
const INSTITUTION_USER = 'inst.yikang'
const DECIDER = 'mz.zhaoli' // not the proposer (the proposal came from the hazard event)
const REPAIR_OFFICER = 'mz.wangli'
const BUREAU = 'sj.credit'
const FINANCE = 'cz.lina'

// ---------------------------------------------------------------- the API side

const JSON_TYPE = { 'Content-Type': 'application/json' }
const sessions = new Map() // user -> the promise of a bearer token
function tokenOf(user) {
  if (!sessions.has(user)) {
    const signInOverApi = fetch(`${BASE_URL}/api/v1/auth/login`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ username: user, password: PASSWORD }) })
    sessions.set(
      user,
      signInOverApi.then(async (r) => {
        check(r.ok, `sign-in of ${user} over the API: HTTP ${r.status}`)
        return (await r.json()).token
      })
    )
  }
  return sessions.get(user)
}
async function api(user, method, path, body) {
  const headers = { ...JSON_TYPE, Authorization: `Bearer ${await tokenOf(user)}` }
  const r = await fetch(`${BASE_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  check(r.status >= 200 && r.status < 300, `${user} ${method} ${path}: HTTP ${r.status} ${text}`)
  return text ? JSON.parse(text) : {}
}

/** Runs SQL on the server's database through scripts/db (the private MariaDB's client). */
function sql(statement) {
  return execFileSync(join(REPO_ROOT, 'scripts', 'db'), ['client', DB_NAME, '-N', '-e', statement], { encoding: 'utf8' }).trim()
}

// ---------------------------------------------------------------- browser helpers

const login = (page, user) => signIn(page, BASE_URL, user, PASSWORD)
const dialogOf = (page, action) => page.locator(`${sel('credit-dialog')}[data-action="${action}"]`)
/** Fills the dialog's text fields ({ field: text }) and submits it, waiting for the API call it makes. */
async function submitDialog(page, action, fields, method, pathPattern, what) {
  const dialog = dialogOf(page, action)
  await dialog.waitFor()
  for (const [field, text] of Object.entries(fields)) await dialog.locator(`${sel(`dialog-${field}`)} textarea`).fill(text)
  const answer = await expectApi(page, method, pathPattern, () => dialog.locator(sel('credit-dialog-submit')).click(), what)
  await dialog.waitFor({ state: 'hidden' })
  return answer
}
async function openEntity(page, code) {
  await expectApi(page, 'GET', new RegExp(`^/api/v1/credit/entities/${code}/explain$`), () => page.goto(`${BASE_URL}/credit/entities/${code}`), 'the credit profile')
  await page.locator(sel('credit-entity')).waitFor()
}
async function checkSubsidy(page, code) {
  await page.goto(`${BASE_URL}/credit/check`)
  await page.locator(sel('check-entity')).fill(code)
  await page.locator(sel('check-action-subsidy')).click()
  const answer = await expectApi(page, 'GET', /^\/api\/v1\/credit\/check$/, () => page.locator(sel('check-submit')).click(), 'the check')
  await page.locator(`${sel('check-decision')}[data-decision="${answer.decision}"]`).waitFor()
  return answer
}

// ---------------------------------------------------------------- the test

await t.run(async () => {
  let code = ''
  let penchengCode = ''
  let entry = null

  await step(`setup over the API: ${YIKANG} has a blacklist proposal in its objection window`, async () => {
    const hits = (await api(BUREAU, 'GET', `/api/v1/credit/search?q=${encodeURIComponent(YIKANG)}`)).items
    code = hits.find((h) => h.name === YIKANG)?.code
    check(code, `${YIKANG} is found by the credit search`)
    penchengCode = (await api(BUREAU, 'GET', `/api/v1/credit/search?q=${encodeURIComponent(PENCHENG)}`)).items.find((h) => h.name === PENCHENG)?.code
    check(penchengCode, `${PENCHENG} is found by the credit search`)
    const proposed = (await api(DECIDER, 'GET', `/api/v1/credit/lists/blacklist/entries?entity=${code}&state=proposed`)).items
    entry = proposed.find((e) => e.ground === 'fire_hazard')
    check(entry, `${YIKANG} has a blacklist proposal on the fire-hazard ground (${proposed.map((e) => e.ground)})`)
    check(entry.objection_open && !entry.objection, 'its objection window is open and no objection was filed')
    check(entry.decide_blocked_by, 'its decision is blocked while the window is open')
    check(entry.record_id, 'the proposal rests on a credit record')
    note(`${YIKANG} ${code}: blacklist entry ${entry.id}, notice ${entry.notice_no}, objections until ${entry.objection_until}, record ${entry.record_id}`)
  })

  await t.launch()
  const zhao = await t.newPage('decider')
  await step('赵丽 cannot decide while the window is open: the button is disabled and says why', async () => {
    await login(zhao, DECIDER)
    await expectApi(zhao, 'GET', new RegExp(`/credit/lists/blacklist/entries/${entry.id}$`), () => zhao.goto(`${BASE_URL}/credit/lists/blacklist/${entry.id}`), 'the entry')
    const decide = zhao.locator(sel('entry-decide'))
    await decide.waitFor()
    check(await decide.isDisabled(), 'the decide button is disabled')
    const reason = await decide.getAttribute('data-blocked')
    check(reason.includes('异议期'), `the reason is given: "${reason}"`)
    check((await zhao.locator(sel('entry-notice-no')).innerText()).trim() === entry.notice_no, 'the notice number is shown')
  })

  const wang = await t.newPage('proposer')
  await step(`${REPAIR_OFFICER} proposes ${GANTANG} for the blacklist; on the entry the decide button says a proposer cannot decide`, async () => {
    const target = (await api(BUREAU, 'GET', `/api/v1/credit/search?q=${encodeURIComponent(GANTANG)}`)).items.find((h) => h.name === GANTANG)?.code
    check(target, `${GANTANG} is found by the credit search`)
    const own = await api(REPAIR_OFFICER, 'POST', '/api/v1/credit/lists/blacklist/entries', { entity: target, ground: 'subsidy_fraud', facts: '虚报服务人次骗取运营补贴 3.6 万元。' })
    check(own.proposed_by, 'the entry names who proposed it')
    await login(wang, REPAIR_OFFICER)
    await expectApi(wang, 'GET', new RegExp(`/credit/lists/blacklist/entries/${own.id}$`), () => wang.goto(`${BASE_URL}/credit/lists/blacklist/${own.id}`), 'the own proposal')
    const decide = wang.locator(sel('entry-decide'))
    await decide.waitFor()
    check(await decide.isDisabled(), 'the decide button is disabled for the proposer')
    const reason = await decide.getAttribute('data-blocked')
    check(reason.includes('提出人'), `the reason names the four-eyes rule: "${reason}"`)
  })

  const inst = await t.newPage('institution')
  await step(`${INSTITUTION_USER} sees the notice for the overdue major fire hazard in 我的信用 and files an objection`, async () => {
    await login(inst, INSTITUTION_USER)
    await expectApi(inst, 'GET', new RegExp(`^/api/v1/credit/entities/${code}/explain$`), () => inst.goto(`${BASE_URL}/credit/mine`), 'my credit')
    const notice = inst.locator(`${sel('credit-notice')}[data-entry="${entry.id}"]`)
    await notice.waitFor()
    check((await notice.getAttribute('data-open')) === 'true', 'the notice is open for objections')
    const text = await notice.innerText()
    check(text.includes(entry.notice_no) && text.includes('火灾') && text.includes(entry.objection_until), `the notice names its number, the fire-hazard ground and the window: "${text.replace(/\s+/g, ' ')}"`)
    await notice.locator(sel('entry-object')).click()
    const objection = '该隐患涉及的自动喷水灭火系统已于期限前完成维修并通过消防维保单位检测，逾期认定与事实不符，请予复核。'
    const after = await submitDialog(inst, 'objection', { objection }, 'POST', new RegExp(`/credit/lists/blacklist/entries/${entry.id}/objection$`), 'the objection')
    check(after.objection === objection && !after.decide_blocked_by, 'the objection is recorded and the decision no longer blocked')
    await inst.locator(`${sel('credit-notice')}[data-entry="${entry.id}"] ${sel('notice-objection')}`).waitFor()
    await t.shot(inst, 'objection')
  })

  await step('赵丽 sees the objection and lists 颐康 (allowed now that the institution objected)', async () => {
    await expectApi(zhao, 'GET', new RegExp(`/credit/lists/blacklist/entries/${entry.id}$`), () => zhao.reload(), 'the entry')
    await zhao.locator(sel('entry-objection')).waitFor()
    const decide = zhao.locator(sel('entry-decide'))
    check(await decide.isEnabled(), `the decide button is enabled (${await decide.getAttribute('data-blocked')})`)
    await decide.click()
    const dialog = dialogOf(zhao, 'decide')
    await dialog.waitFor()
    await dialog.locator(sel('decision-list')).click()
    const after = await submitDialog(zhao, 'decide', { reason: '经复核，隐患整改期限届满时复查仍未整改到位，异议不成立，依规列入。' }, 'POST', new RegExp(`/entries/${entry.id}/decide$`), 'the decision')
    check(after.state === 'listed' && after.decision === 'list', `the entry is ${after.state}`)
    check(after.apply_tasks.total > 0, `the implementing departments got feedback tasks (${after.apply_tasks.total})`)
    await zhao.locator(`${sel('entry-state')}[data-state="listed"]`).waitFor()
    note(`listed on ${after.listed_on}, ends ${after.ends_on}; ${after.apply_tasks.total} feedback task(s)`)
  })

  const sj = await t.newPage('bureau')
  await step('信用核查 (sj.credit): a subsidy for 颐康 is 限制, the path running to 财政', async () => {
    await login(sj, BUREAU)
    const answer = await checkSubsidy(sj, code)
    check(answer.decision === 'restricted', `the decision is ${answer.decision}`)
    const badge = sj.locator(sel('check-decision'))
    check((await badge.innerText()).trim() === '限制', `the badge says "${await badge.innerText()}"`)
    const measure = sj.locator(`${sel('measure-row')}[data-action="subsidy"][data-effect="restrict"][data-department="CZ"]`)
    await measure.first().waitFor()
    const path = await sj.locator(`${sel('check-result')} ${sel('measure-path')}`).first().getAttribute('data-text')
    check(path.includes(YIKANG) && path.includes('失信联合惩戒对象名单') && path.includes('财政'), `the path is shown as a chain: "${path}"`)
    const steps = await sj.locator(`${sel('check-result')} ${sel('measure-path')}`).first().locator(sel('path-step')).count()
    check(steps >= 4, `the chain has ${steps} steps`)
    await t.shot(sj, 'check-restricted')
  })

  await step('李娜 (财政) accepts the feedback task for 颐康, then feeds back what was done', async () => {
    const cz = await t.newPage('finance')
    await login(cz, FINANCE)
    await expectApi(cz, 'GET', /^\/api\/v1\/credit\/feedback$/, () => cz.goto(`${BASE_URL}/credit/feedback`), 'the tasks')
    const row = () => cz.locator('tbody tr', { has: cz.locator(`${sel('task-row')}[data-entity="${code}"]`) }).first()
    await row().waitFor()
    check((await row().locator(sel('task-row')).getAttribute('data-state')) === 'pending', 'the task is pending')
    check((await row().innerText()).includes('财政'), 'the task lists the finance measures')
    await row().locator(sel('task-accept')).click()
    const accepted = await submitDialog(cz, 'accept', {}, 'POST', /\/credit\/feedback\/\d+$/, 'the acceptance')
    check(accepted.state === 'accepted' && accepted.entity_code === code, `the task is ${accepted.state}`)
    await cz.locator(`${sel('task-row')}[data-id="${accepted.id}"][data-state="accepted"]`).waitFor()
    await row().locator(sel('task-feedback-open')).click()
    const feedback = '已在补贴审批系统中标注该机构，暂停受理其 2026 年度运营补贴申请，并通知政府采购平台限制其参与养老服务采购。'
    const done = await submitDialog(cz, 'feedback', { feedback }, 'POST', new RegExp(`/credit/feedback/${accepted.id}$`), 'the feedback')
    check(done.state === 'done' && done.feedback === feedback, `the task is ${done.state}`)
    await cz.locator(`${sel('task-row')}[data-id="${accepted.id}"][data-state="done"]`).waitFor()
  })

  await step('the entity page shows grade D and draw risk tier D, the listing with its feedback and the measures', async () => {
    await openEntity(sj, code)
    const grade = sj.locator(`.cw-title-row ${sel('credit-grade')}`)
    check((await grade.getAttribute('data-grade')) === 'D', `grade ${await grade.getAttribute('data-grade')}`)
    check((await sj.locator(sel('credit-draw-tier')).getAttribute('data-tier')) === 'D', `draw risk tier ${await sj.locator(sel('credit-draw-tier')).getAttribute('data-tier')}`)
    const notes = await sj.locator(sel('list-note')).allInnerTexts()
    check(notes.some((n) => n.includes('失信联合惩戒对象名单')), `the explanation names the blacklist's effect: ${notes.join(' / ')}`)
    check((await sj.locator(`${sel('score-line')}[data-record="${entry.record_id}"]`).count()) === 1, 'the hazard record is a line of the explanation')
    await sj.locator('#tab-lists').click()
    const listed = sj.locator(`${sel('entity-entry')}[data-list="blacklist"][data-state="listed"]`)
    await listed.waitFor()
    const tasks = sj.locator('tbody tr', { has: listed }).locator(sel('entry-tasks'))
    check(Number(await tasks.getAttribute('data-done')) >= 1, `feedback completion is shown: ${await tasks.innerText()}`)
    await sj.locator('#tab-measures').click()
    await sj.locator(`${sel('measure-row')}[data-action="subsidy"]`).first().waitFor()
    await t.shot(sj, 'entity-listed')
  })

  let repairId = 0
  await step('after the 12-month minimum period (moved back in the database) 颐康 applies for repair of the hazard record', async () => {
    sql(
      `UPDATE credit_records SET decided_on = DATE_SUB(decided_on, INTERVAL 13 MONTH), min_until = DATE_SUB(min_until, INTERVAL 13 MONTH),` +
        ` publish_until = DATE_SUB(publish_until, INTERVAL 13 MONTH) WHERE id = ${Number(entry.record_id)} AND kind = 'hazard_overdue'`
    )
    const moved = sql(`SELECT min_until FROM credit_records WHERE id = ${Number(entry.record_id)}`)
    note(`record ${entry.record_id}: minimum publication period now ends ${moved}`)
    await expectApi(inst, 'GET', new RegExp(`^/api/v1/credit/entities/${code}/explain$`), () => inst.reload(), 'my credit')
    await inst.locator('#tab-records').click()
    const record = inst.locator(`${sel('record-row')}[data-id="${entry.record_id}"]`)
    await record.waitFor()
    check((await record.getAttribute('data-kind')) === 'hazard_overdue', 'the record is the overdue hazard')
    check((await record.getAttribute('data-repairable')) === 'true', 'the record is repairable now')
    const row = inst.locator('tbody tr', { has: record })
    await row.locator(sel('record-repairable')).waitFor()
    await row.locator(sel('record-repair')).click()
    const repair = await submitDialog(
      inst,
      'repair',
      {
        rectification: '已更换损坏的喷淋泵和报警阀组，系统经消防设施检测机构检测合格，并建立每月联动测试制度。',
        pledge: '本机构承诺严格落实消防安全主体责任，按期整改各类隐患，如再有逾期未整改情形，自愿接受从重处理。',
        evidence: '消防设施检测报告（2026）第 118 号；维保合同及整改前后照片 12 张。'
      },
      'POST',
      /^\/api\/v1\/credit\/repairs$/,
      'the repair application'
    )
    check(repair.state === 'submitted' && repair.record_id === entry.record_id, `the application is ${repair.state}`)
    repairId = repair.id
    await row.locator(`${sel('record-repair-state')}[data-state="submitted"]`).waitFor()
  })

  await step('王丽 approves the repair in the review queue', async () => {
    const wang = await t.newPage('repair-officer')
    await login(wang, REPAIR_OFFICER)
    await expectApi(wang, 'GET', /^\/api\/v1\/credit\/repairs$/, () => wang.goto(`${BASE_URL}/credit/repairs`), 'the queue')
    const row = wang.locator('tbody tr', { has: wang.locator(`${sel('repair-row')}[data-id="${repairId}"]`) })
    await row.waitFor()
    check((await row.innerText()).includes('本机构承诺'), 'the pledge is shown in the queue')
    await row.locator(sel('repair-review')).click()
    const dialog = dialogOf(wang, 'repairDecide')
    await dialog.waitFor()
    await dialog.locator(sel('decision-approve')).click()
    const decided = await submitDialog(wang, 'repairDecide', { reason: '整改到位，检测合格，信用承诺符合要求，同意修复。' }, 'POST', new RegExp(`/credit/repairs/${repairId}/decide$`), 'the approval')
    check(decided.state === 'approved', `the application is ${decided.state}`)
  })

  await step('the entity page no longer shows the blacklist entry and the check says 允许 for a subsidy', async () => {
    await openEntity(sj, code)
    const grade = await sj.locator(`.cw-title-row ${sel('credit-grade')}`).getAttribute('data-grade')
    check(grade !== 'D', `the grade is no longer D (${grade})`)
    await sj.locator('#tab-lists').click()
    await sj.locator(sel('entity-lists')).waitFor()
    check((await sj.locator(`${sel('entity-entry')}[data-list="blacklist"]`).count()) === 0, 'no blacklist entry is open')
    const removed = await api(BUREAU, 'GET', `/api/v1/credit/lists/blacklist/entries/${entry.id}`)
    check(removed.state === 'removed', `the entry is ${removed.state} (${removed.removal_reason})`)
    note(`after the repair: grade ${grade}; entry ${entry.id} ${removed.state} (${removed.removal_reason})`)
    const answer = await checkSubsidy(sj, code)
    check(answer.decision === 'allowed', `the decision is ${answer.decision}`)
    check((await sj.locator(sel('check-decision')).innerText()).trim() === '允许', 'the badge says 允许')
  })

  await step('the public blacklist shows 湓城 and no longer 颐康', async () => {
    const visitor = await t.newPage('public')
    await expectApi(visitor, 'GET', /^\/api\/v1\/public\/credit\/lists\/blacklist$/, () => visitor.goto(`${BASE_URL}/public/credit/blacklist`), 'the public blacklist')
    await visitor.locator(`${sel('public-credit-row')}[data-code="${penchengCode}"]`).waitFor()
    check((await visitor.locator(`${sel('public-credit-row')}[data-code="${code}"]`).count()) === 0, `${YIKANG} is not on the public blacklist`)
    const text = await visitor.locator(sel('public-credit-table')).innerText()
    check(text.includes(PENCHENG) && !text.includes(YIKANG), 'the names agree')
    await t.shot(visitor, 'public-blacklist')
  })

  await step('a report downloaded by sj.credit is verified by number and by its SHA-256 on the public page', async () => {
    await openEntity(sj, code)
    const [download] = await Promise.all([sj.waitForEvent('download'), sj.locator(sel('report-download')).click()])
    const file = join(OUT_DIR, 'credit-report.pdf')
    await download.saveAs(file)
    const bytes = readFileSync(file)
    check(bytes.subarray(0, 5).toString() === '%PDF-', 'the download is a PDF')
    const sha = createHash('sha256').update(bytes).digest('hex')
    await sj.locator(sel('report-number')).waitFor()
    const number = (await sj.locator(sel('report-number')).innerText()).trim()
    check((await sj.locator(sel('report-sha256')).innerText()).trim() === sha, 'the page shows the SHA-256 of the file saved')
    note(`report ${number}, ${bytes.length} bytes, SHA-256 ${sha}`)
    const visitor = await t.newPage('verify')
    await visitor.goto(`${BASE_URL}/public/credit/verify`)
    await visitor.locator(sel('verify-number')).fill(number)
    const report = await expectApi(visitor, 'GET', new RegExp(`/public/credit/reports/${number}$`), () => visitor.locator(sel('verify-submit')).click(), 'the verification')
    check(report.sha256 === sha && report.entity_code === code, 'the record of the report matches the file')
    check((await visitor.locator(sel('verify-sha256')).innerText()).trim() === sha, 'the page shows the issued SHA-256')
    await visitor.locator(sel('verify-file')).setInputFiles(file)
    const verdict = visitor.locator(sel('verify-verdict'))
    await verdict.waitFor()
    check((await verdict.getAttribute('data-verdict')) === 'match', `the file's SHA-256 computed in the page matches (${await verdict.getAttribute('data-verdict')})`)
    await t.shot(visitor, 'verify')
  })

  await step('no uncaught errors in the pages', async () => {
    if (pageErrors.length) throw new CheckFailed(`uncaught page errors:\n${pageErrors.join('\n')}`)
  })
}, ': notice → objection → listed → check 限制 → feedback → grade D → repair → removed, 允许 → public lists → report verified')
