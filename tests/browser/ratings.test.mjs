// A graded rating (等级评定) from the application to publication in the browser (Debian's Chromium, headless), against
// `carewatch serve` on a freshly seeded database:
//   setup (API): the administrator gives 九江市柴桑区沙河街敬老院 (elderly, unrated) an account; a fourth 民政 evaluator
//   is added to the directory and declares a conflict with that institution;
//   browser: the institution applies (申请等级评定) and submits its self-assessment from the form (most lines saved
//   over the API first) → 王丽 opens the rating, sees the conflicted evaluator cannot be chosen and assigns 刘强, 周敏
//   and 黄涛 → 刘强 fills in the whole scoring form and submits; 周敏 and 黄涛 (lines saved over the API) submit from
//   the form → the draft: 三级, because 服务 (78.3%) is below the 80% floor of 四级 although the total is enough →
//   another institution (康乐养老院) cannot see it → the institution reads the explanation, tries a change (模拟测算)
//   and challenges the item it lost → 周敏 upholds it with the corrected points → 王丽 cannot approve while the
//   challenge window is open → the institution confirms → 王丽 approves: published at 四级, rated today, with the
//   decisive rule in words → the public portal shows the level and the date.
// Exit code 0 when every check passed, 1 on the first failed check, 2 on a usage error.
import { CheckFailed, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn } from './browser.mjs'

const t = browserTest('ratings', { timeoutMs: 180_000 })
const { step, note, pageErrors } = t

const BASE_URL = baseUrlFromEnv('ratings.test', 'CW_BASE_URL=http://127.0.0.1:18080 [CW_DEMO_PASSWORD=...] node ratings.test.mjs')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const SUFFIX = Date.now() % 100000
const INSTITUTION = '九江市柴桑区沙河街敬老院'
const INSTITUTION_USER = `inst.rt${SUFFIX}`
const CONFLICTED_USER = `mz.rt${SUFFIX}`
const OFFICER = 'mz.wangli'
const EVALUATORS = [
  { user: 'mz.liuqiang', code: 'I000001' },
  { user: 'mz.zhoumin', code: 'I000002' },
  { user: 'mz.huangtao', code: 'I000003' }
]
const OTHER_INSTITUTION = 'inst.kangle'

/** Today in Jiujiang as YYYY-MM-DD (the Swedish locale writes dates so). */
const todayInChina = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })

// ---------------------------------------------------------------- the API side of the setup

const JSON_TYPE = { 'Content-Type': 'application/json' }
const sessions = new Map() // user -> the promise of a bearer token
function tokenOf(user) {
  if (!sessions.has(user)) {
    const signIn = fetch(`${BASE_URL}/api/v1/auth/login`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ username: user, password: PASSWORD }) })
    sessions.set(
      user,
      signIn.then(async (r) => {
        check(r.ok, `sign-in of ${user} over the API: HTTP ${r.status}`)
        return (await r.json()).token
      })
    )
  }
  return sessions.get(user)
}
/** { status, body } of a request made as `user`. */
async function call(user, method, path, body) {
  const headers = { ...JSON_TYPE, Authorization: `Bearer ${await tokenOf(user)}` }
  const r = await fetch(`${BASE_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : {} }
}
async function api(user, method, path, body) {
  const r = await call(user, method, path, body)
  check(r.status >= 200 && r.status < 300, `${user} ${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

// ---------------------------------------------------------------- the scores

/**
 * The panel's scores over the elderly scheme: full marks in 环境, 设施设备 and 运营管理, and 服务 at 470 of 600 (78.3%,
 * below the 80% floor of 四级) with one item (`challenged`, 10 to 29 points) at 0. The total (870) is enough for
 * 四级, so the draft is 三级 by the part floor; the upheld challenge gives that item its full points back: 服务 at
 * 470 + max >= 480 and the total still under 900, hence 四级.
 */
function plan(scheme) {
  const leaves = []
  for (const part of scheme.parts) {
    for (const item of part.children || []) {
      for (const leaf of item.children && item.children.length ? item.children : [item]) leaves.push({ ...leaf, part: part.code })
    }
  }
  const services = scheme.parts.find((p) => p.max_points === 600)
  check(services, 'the elderly scheme has a part of 600 points (服务)')
  const inServices = leaves.filter((l) => l.part === services.code)
  const challenged = inServices.find((l) => l.max_points >= 10 && l.max_points < 30)
  check(challenged, '服务 has an item of 10 to 29 points')
  const points = Object.fromEntries(leaves.map((l) => [l.code, l.max_points]))
  points[challenged.code] = 0
  let loss = 130 - challenged.max_points
  for (const l of inServices) {
    if (l === challenged || loss <= 0) continue
    const cut = Math.min(Math.floor(l.max_points * 0.4 * 2) / 2, loss)
    points[l.code] -= cut
    loss -= cut
  }
  check(loss === 0, 'the 服务 items can lose 130 points')
  return { leaves, vetoes: scheme.vetoes, points, challenged }
}

const lines = (p, { except = [], self = false } = {}) => [
  ...p.leaves.filter((l) => !except.includes(l.code)).map((l) => ({ code: l.code, points: self && l.code === p.challenged.code ? l.max_points : p.points[l.code] })),
  ...p.vetoes.filter((v) => !except.includes(v.code)).map((v) => ({ code: v.code, passed: true }))
]

// ---------------------------------------------------------------- browser helpers

const login = (page, user) => signIn(page, BASE_URL, user, PASSWORD)

async function openRating(page, id) {
  await expectApi(page, 'GET', new RegExp(`^/api/v1/ratings/${id}$`), () => page.goto(`${BASE_URL}/ratings/${id}`), 'the rating')
  await page.locator(sel('rating-state')).waitFor()
}
const stateOf = (page) => page.locator(sel('rating-state')).getAttribute('data-state')
async function waitForState(page, state) {
  await page.waitForFunction(([s, v]) => document.querySelector(s)?.getAttribute('data-state') === v, [sel('rating-state'), state])
}
async function tab(page, name) {
  await page.locator(`#tab-${name}`).click()
}
/** Clicks the OK button of the confirmation box (ElMessageBox) and waits for the API call it makes. */
async function confirmBox(page, method, pathPattern, what) {
  return expectApi(page, method, pathPattern, () => page.locator('.cw-confirm-ok').click(), what)
}
// The scoring form of the self-assessment (self) or of the evaluator's own sheet (panel).
const form = (page, mode) => page.locator(`${sel('score-form')}[data-mode="${mode}"]`)
async function fillPoints(scope, code, value) {
  await scope.locator(`${sel('score-leaf')}[data-code="${code}"] ${sel('score-points')} input`).fill(String(value))
}
async function submitSheet(page, mode, apiPath, what) {
  await form(page, mode).locator(sel('score-submit')).click()
  return confirmBox(page, 'PUT', apiPath, what)
}
/** Chooses an option of an Element Plus select inside `scope` by typing and clicking the option that starts so. */
async function choose(page, scope, text) {
  await scope.locator('.el-select__wrapper').click()
  await scope.locator('input').fill(text)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// ---------------------------------------------------------------- the test

await t.run(async () => {
  let institution = null
  let scheme = null
  let p = null
  let ratingId = 0
  let conflicted = ''

  await step('setup over the API: an account for the institution, a fourth evaluator with a declared conflict', async () => {
    const found = await api('admin', 'GET', `/api/v1/institutions?q=${encodeURIComponent(INSTITUTION)}`)
    institution = found.items.find((i) => i.name === INSTITUTION)
    check(institution, `${INSTITUTION} is in the directory`)
    const ratings = await api(OFFICER, 'GET', `/api/v1/ratings?institution_id=${institution.id}`)
    check(ratings.total === 0, `${INSTITUTION} has no rating yet (${ratings.total})`)
    await api('admin', 'POST', '/api/v1/admin/users', {
      username: INSTITUTION_USER,
      display_name: '沙河街敬老院',
      role: 'institution',
      institution_id: institution.id,
      password: PASSWORD
    })
    const user = await api('admin', 'POST', '/api/v1/admin/users', {
      username: CONFLICTED_USER,
      display_name: '钱评审',
      role: 'inspector',
      department_code: 'MZ',
      region_code: '360404',
      certificate_no: `3604042026${String(SUFFIX).padStart(5, '0')}`,
      password: PASSWORD
    })
    const inspector = await api(OFFICER, 'POST', '/api/v1/inspectors', {
      name: '钱评审',
      department_code: 'MZ',
      region_code: '360404',
      member_kind: 'enforcement',
      certificate_no: `3604042026${String(SUFFIX).padStart(5, '0')}`,
      expertise: '养老服务',
      user_id: user.id
    })
    await api(OFFICER, 'POST', `/api/v1/inspectors/${inspector.id}/conflicts`, {
      credit_code: institution.credit_code,
      reason: '近亲属在该机构任职',
      valid_from: todayInChina()
    })
    conflicted = inspector.code
    // The schemes are public.
    const list = await (await fetch(`${BASE_URL}/api/v1/rating-schemes`)).json()
    const elderly = list.items.find((s) => s.sector === 'elderly' && s.active)
    scheme = await (await fetch(`${BASE_URL}/api/v1/rating-schemes/${elderly.id}`)).json()
    p = plan(scheme)
    note(`${INSTITUTION} (${institution.credit_code}) signs in as ${INSTITUTION_USER}; ${inspector.code} 钱评审 has declared a conflict`)
    note(`${scheme.standard}: ${p.leaves.length} items, ${p.vetoes.length} basic items; challenged item ${p.challenged.code} ${p.challenged.name} (${p.challenged.max_points} points)`)
  })

  await t.launch()
  const inst = await t.newPage('institution')
  await step(`${INSTITUTION_USER} applies for a rating in 我的评定`, async () => {
    await login(inst, INSTITUTION_USER)
    await expectApi(inst, 'GET', /^\/api\/v1\/ratings$/, () => inst.goto(`${BASE_URL}/ratings`), 'my ratings')
    const apply = inst.locator(sel('rating-apply'))
    await apply.waitFor()
    check(await apply.isEnabled(), 'the apply button is enabled when no rating is in progress')
    await apply.click()
    const rating = await confirmBox(inst, 'POST', /^\/api\/v1\/ratings$/, 'the application')
    ratingId = rating.id
    await inst.waitForURL(new RegExp(`/ratings/${ratingId}$`))
    await form(inst, 'self').waitFor()
    check((await stateOf(inst)) === 'self_assessment', `state ${await stateOf(inst)}, expected self_assessment`)
    check((await inst.locator(sel('rating-steps')).getAttribute('data-state')) === 'self_assessment', 'the step bar is at 申请/自评')
    note(`rating ${rating.reference} (id ${ratingId})`)
  })

  await step('the institution fills in the rest of its self-assessment in the form and submits it', async () => {
    // Most lines over the API (saved, not submitted); the first items of each part and a basic item in the browser.
    const inBrowser = [p.vetoes[0].code, ...scheme.parts.map((part) => p.leaves.find((l) => l.part === part.code).code)]
    await api(INSTITUTION_USER, 'PUT', `/api/v1/ratings/${ratingId}/self-assessment`, { lines: lines(p, { except: inBrowser, self: true }), submit: false })
    await openRating(inst, ratingId)
    const self = form(inst, 'self')
    const answered = async () => Number(await self.locator(sel('score-answered')).getAttribute('data-answered'))
    check((await answered()) === p.leaves.length + p.vetoes.length - inBrowser.length, `the form shows the ${p.leaves.length + p.vetoes.length - inBrowser.length} saved lines`)
    await self.locator(`${sel('score-veto')}[data-code="${p.vetoes[0].code}"] ${sel('veto-pass')}`).click()
    for (const code of inBrowser.slice(1)) await fillPoints(self, code, code === p.challenged.code ? p.challenged.max_points : p.points[code])
    check((await answered()) === p.leaves.length + p.vetoes.length, 'every line is filled in')
    const detail = await submitSheet(inst, 'self', new RegExp(`/ratings/${ratingId}/self-assessment$`), 'the self-assessment')
    check(detail.state === 'panel', `after the self-assessment the state is ${detail.state}, expected panel`)
    await waitForState(inst, 'panel')
  })

  const wang = await t.newPage('officer')
  await step('王丽 sees the conflicted evaluator cannot be chosen and assigns 刘强, 周敏 and 黄涛', async () => {
    await login(wang, OFFICER)
    await expectApi(wang, 'GET', new RegExp(`/api/v1/ratings/${ratingId}/panel-candidates$`), () => openRating(wang, ratingId), 'the candidates')
    const picker = wang.locator(sel('panel-picker'))
    await picker.waitFor()
    const rowOf = (code) => picker.locator('tbody tr', { has: wang.locator(`${sel('candidate-row')}[data-code="${code}"]`) })
    const conflictedRow = rowOf(conflicted)
    await conflictedRow.waitFor()
    check((await conflictedRow.locator(sel('candidate-row')).getAttribute('data-selectable')) === 'false', 'the conflicted evaluator is not selectable')
    check((await conflictedRow.locator(sel('candidate-conflict')).innerText()).includes('回避'), 'the conflicted evaluator is tagged 回避')
    check((await conflictedRow.locator('.el-checkbox.is-disabled').count()) === 1, "the conflicted evaluator's checkbox is disabled")
    const noAccount = picker.locator(`${sel('candidate-row')}[data-selectable="false"]`)
    note(`${await noAccount.count()} candidate(s) cannot be chosen (conflict or no account)`)
    for (const e of EVALUATORS) await rowOf(e.code).locator('.el-checkbox').click()
    check((await picker.locator(sel('panel-selected')).getAttribute('data-count')) === '3', 'three members are selected')
    await picker.locator(sel('panel-assign')).click()
    const detail = await confirmBox(wang, 'POST', new RegExp(`/ratings/${ratingId}/panel$`), 'the panel')
    check(detail.state === 'scoring', `after the panel the state is ${detail.state}, expected scoring`)
    check(detail.panel.map((m) => m.code).sort().join() === EVALUATORS.map((e) => e.code).join(), `the panel is ${detail.panel.map((m) => m.code)}`)
    await waitForState(wang, 'scoring')
  })

  const evaluators = []
  await step('刘强 finds the rating in 我参与的评审 and fills in the whole scoring form', async () => {
    const liu = await t.newPage('evaluator-1')
    evaluators.push(liu)
    await login(liu, EVALUATORS[0].user)
    await expectApi(liu, 'GET', /^\/api\/v1\/ratings$/, () => liu.goto(`${BASE_URL}/ratings`), 'my panels')
    await liu.locator(`${sel('rating-row')}[data-id="${ratingId}"]`).click()
    const sheet = form(liu, 'panel')
    await sheet.waitFor()
    check((await sheet.getAttribute('data-editable')) === 'true', 'the scoring form is editable')
    for (const v of p.vetoes) await sheet.locator(`${sel('score-veto')}[data-code="${v.code}"] ${sel('veto-pass')}`).click()
    for (const l of p.leaves) await fillPoints(sheet, l.code, p.points[l.code])
    await sheet.locator(`${sel('score-leaf')}[data-code="${p.challenged.code}"] ${sel('score-note')}`).fill('未见相关记录，不得分')
    const total = await sheet.locator(sel('score-total')).getAttribute('data-points')
    check(Number(total) === 870, `the running total is ${total}, expected 870`)
    const services = scheme.parts.find((part) => part.max_points === 600).code
    const percent = await sheet.locator(`${sel('score-part-total')}[data-code="${services}"]`).getAttribute('data-percent')
    check(Number(percent) === 78.3, `服务 runs at ${percent}%, expected 78.3%`)
    await t.shot(liu, 'scoring-form')
    const detail = await submitSheet(liu, 'panel', new RegExp(`/ratings/${ratingId}/scores$`), "刘强's scores")
    check(detail.state === 'scoring', 'still scoring after the first sheet')
    await liu.locator(sel('score-submitted')).waitFor()
  })

  await step('周敏 and 黄涛 submit their sheets from the form: the draft result is 三级', async () => {
    for (const e of EVALUATORS.slice(1)) {
      await api(e.user, 'PUT', `/api/v1/ratings/${ratingId}/scores`, { lines: lines(p), submit: false })
      const page = await t.newPage(`evaluator-${evaluators.length + 1}`)
      evaluators.push(page)
      await login(page, e.user)
      await openRating(page, ratingId)
      await form(page, 'panel').waitFor()
      await submitSheet(page, 'panel', new RegExp(`/ratings/${ratingId}/scores$`), `${e.user}'s scores`)
    }
    const last = evaluators[2]
    await waitForState(last, 'draft')
    await last.locator(sel('rating-explain')).waitFor()
    const level = await last.locator(sel('explain-level')).getAttribute('data-level')
    check(level === 'L3', `the draft is ${level}, expected L3`)
  })

  await step(`${OTHER_INSTITUTION} cannot see the draft (API 404, the page says not found)`, async () => {
    const r = await call(OTHER_INSTITUTION, 'GET', `/api/v1/ratings/${ratingId}`)
    check(r.status === 404, `GET /ratings/${ratingId} as ${OTHER_INSTITUTION}: HTTP ${r.status}, expected 404`)
    const x = await call(OTHER_INSTITUTION, 'GET', `/api/v1/ratings/${ratingId}/explain`)
    check(x.status === 404, `its explanation: HTTP ${x.status}, expected 404`)
    const other = await t.newPage('other-institution')
    await login(other, OTHER_INSTITUTION)
    await other.goto(`${BASE_URL}/ratings/${ratingId}`)
    await other.locator(sel('rating-not-found')).waitFor()
    await other.context().close()
  })

  await step('the institution reads why it is 三级 and what 四级 needs, and tries the change it will ask for', async () => {
    await openRating(inst, ratingId)
    await waitForState(inst, 'draft')
    const rule = inst.locator(sel('explain-rule'))
    await rule.waitFor()
    const text = await rule.innerText()
    check((await rule.getAttribute('data-decided-by')) === 'part_floor', `decided by ${await rule.getAttribute('data-decided-by')}, expected part_floor`)
    check(text.includes('「服务」仅 78.3%') && text.includes('四级') && text.includes('80%'), `the decisive rule says why: "${text}"`)
    note(`decisive rule: ${text.trim()}`)
    check((await inst.locator(`${sel('explain-need')}[data-kind="part"]`).count()) >= 1, 'the needs of 四级 name the part')
    check(await inst.locator(sel('rating-radar')).first().isVisible(), 'the radar chart is shown')
    await t.shot(inst, 'draft-explanation')
    await tab(inst, 'whatIf')
    const leaf = inst.locator(`${sel('what-if-leaf')}[data-code="${p.challenged.code}"]`)
    await inst.locator(sel('what-if')).locator('.el-collapse-item__header', { hasText: scheme.parts.find((x) => x.max_points === 600).name }).click()
    await expectApi(inst, 'POST', new RegExp(`/ratings/${ratingId}/what-if$`), () => leaf.locator('input').fill(String(p.challenged.max_points)), 'the what-if')
    await inst.waitForFunction((s) => document.querySelector(s)?.getAttribute('data-level') === 'L4', `${sel('what-if-result')}[data-simulated="true"]`)
  })

  await step(`the institution challenges item ${p.challenged.code} in the window`, async () => {
    await inst.locator(sel('action-challenge')).click()
    const dialog = inst.locator(`${sel('rating-dialog')}[data-action="challenge"]`)
    await dialog.waitFor()
    await choose(inst, dialog.locator(sel('dialog-item_code')), `${p.challenged.code} `)
    await dialog.locator(`${sel('dialog-claim')} textarea`).fill(`本项已按要求落实，评审组现场未查阅我院的相关台账，扣除全部 ${p.challenged.max_points} 分不符合实际。`)
    await dialog.locator(`${sel('dialog-evidence')} textarea`).fill('2025 年度服务台账及签字记录（共 12 册），可随时提供原件核查。')
    const detail = await expectApi(inst, 'POST', new RegExp(`/ratings/${ratingId}/challenges$`), () => dialog.locator(sel('rating-dialog-submit')).click(), 'the challenge')
    check(detail.challenges.length === 1 && detail.challenges[0].item_code === p.challenged.code, 'the challenge is recorded')
    await dialog.waitFor({ state: 'hidden' })
  })

  await step('周敏 upholds the challenge with the corrected points', async () => {
    const zhou = evaluators[1]
    await openRating(zhou, ratingId)
    const answer = zhou.locator(sel('challenge-answer'))
    await answer.waitFor()
    await answer.click()
    const dialog = zhou.locator(`${sel('rating-dialog')}[data-action="answer"]`)
    await dialog.waitFor()
    await dialog.locator(`${sel('dialog-decision')} ${sel('decision-upheld')}`).click()
    await dialog.locator(`${sel('dialog-points')} input`).fill(String(p.challenged.max_points))
    await dialog.locator(`${sel('dialog-answer')} textarea`).fill('经核查台账，异议成立，按满分更正。')
    const detail = await expectApi(zhou, 'POST', /\/challenges\/\d+\/answer$/, () => dialog.locator(sel('rating-dialog-submit')).click(), 'the answer')
    const c = detail.challenges[0]
    check(c.decision === 'upheld' && Number(c.corrected_points) === p.challenged.max_points, `the challenge is ${c.decision} with ${c.corrected_points} points`)
    await zhou.locator(`${sel('challenge-row')}[data-decision="upheld"]`).waitFor()
  })

  await step('王丽 cannot approve while the challenge window is open and unconfirmed', async () => {
    await openRating(wang, ratingId)
    const approve = wang.locator(sel('action-approve'))
    await approve.waitFor()
    check(await approve.isDisabled(), 'the approve button is disabled')
    const reason = await approve.getAttribute('data-blocked')
    check(reason.includes('异议期'), `the reason is given: "${reason}"`)
    check((await wang.locator(sel('explain-level')).getAttribute('data-level')) === 'L4', 'after the upheld challenge the draft is 四级')
  })

  await step('the institution confirms the result, waiving the rest of the window', async () => {
    await openRating(inst, ratingId)
    await inst.locator(sel('action-confirm')).click()
    const detail = await confirmBox(inst, 'POST', new RegExp(`/ratings/${ratingId}/confirm$`), 'the confirmation')
    check(!!detail.confirmed_at && !detail.challenge_window_open, 'the draft is confirmed and the window closed')
    await inst.locator(sel('action-confirm')).waitFor({ state: 'detached' })
  })

  await step('王丽 approves: published at 四级, rated today, with the decisive rule in words', async () => {
    await openRating(wang, ratingId)
    const approve = wang.locator(sel('action-approve'))
    check(await approve.isEnabled(), `the approve button is enabled (${await approve.getAttribute('data-blocked')})`)
    await approve.click()
    const dialog = wang.locator(`${sel('rating-dialog')}[data-action="approve"]`)
    await dialog.waitFor()
    await dialog.locator(`${sel('dialog-note')} textarea`).fill('评审组意见一致，异议已核实更正，同意公布。')
    const detail = await expectApi(wang, 'POST', new RegExp(`/ratings/${ratingId}/approve$`), () => dialog.locator(sel('rating-dialog-submit')).click(), 'the approval')
    check(detail.state === 'published' && detail.current_level === 'L4', `published at ${detail.current_level} (${detail.state})`)
    await waitForState(wang, 'published')
    check((await wang.locator(`.cw-title-row ${sel('rating-level')}`).getAttribute('data-level')) === 'L4', 'the title shows 四级')
    const age = wang.locator(`.cw-title-row ${sel('rating-age')}`)
    check((await age.getAttribute('data-day')) === todayInChina(), `rated on ${await age.getAttribute('data-day')}`)
    check((await age.locator(sel('rating-age-text')).innerText()).trim() === '今天', `its age is "${await age.locator(sel('rating-age-text')).innerText()}"`)
    await wang.locator(sel('rating-explain')).waitFor()
    const rule = await wang.locator(sel('explain-rule')).innerText()
    check(rule.includes('四级') && rule.includes('五级'), `the decisive rule of the published level: "${rule}"`)
    note(`published: ${rule.trim()}`)
    const actions = await wang.locator(sel('rating-event')).evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    for (const a of ['applied', 'self_assessed', 'panel_assigned', 'scored', 'draft', 'challenged', 'challenge_upheld', 'confirmed', 'published']) {
      check(actions.includes(a), `the record shows "${a}" (it has ${actions.join(', ')})`)
    }
    await t.shot(wang, 'published')
  })

  await step('the public portal shows the level and the date of the institution', async () => {
    const visitor = await t.newPage('public')
    await visitor.goto(`${BASE_URL}/public/ratings`)
    await visitor.locator(sel('public-ratings-q')).fill('沙河街')
    await expectApi(visitor, 'GET', /^\/api\/v1\/public\/ratings$/, () => visitor.locator(sel('public-ratings-search')).click(), 'the board')
    const row = visitor.locator(`${sel('public-rating-row')}[data-institution="${institution.id}"]`)
    await row.waitFor()
    check((await row.getAttribute('data-level')) === 'L4', `the board shows ${await row.getAttribute('data-level')}`)
    await expectApi(visitor, 'GET', new RegExp(`/public/institutions/${institution.id}/rating$`), () => row.click(), 'the public rating')
    await visitor.locator(sel('public-rating-name')).waitFor()
    check((await visitor.locator(`.cw-title-row ${sel('rating-level')}`).getAttribute('data-level')) === 'L4', 'the institution page shows 四级')
    check((await visitor.locator(sel('public-rating-date')).innerText()).trim() === todayInChina(), 'and the date of publication')
    check((await visitor.locator(sel('explain-rule')).innerText()).includes('四级'), 'and why')
    await t.shot(visitor, 'public')
  })

  await step('no uncaught errors in the pages', async () => {
    if (pageErrors.length) throw new CheckFailed(`uncaught page errors:\n${pageErrors.join('\n')}`)
  })
}, ': apply → three evaluators score → challenge → answer → approve → published with its explanation')
