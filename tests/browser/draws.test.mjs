#!/usr/bin/env node
// Browser test of "double random, one public" (双随机、一公开), run against a live server with FRESH demo data
// (seed-demo):
//
//   mz.wangli opens 双随机抽查 → 抽查任务 and sees task 1 (drawn) and task 2 (draft) → opens task 2 (moving its window
//   start to today when it lies in the future, so that a result can be recorded today) → locks it (锁定并公示承诺): a
//   64-hex commitment → draws it: the drawn list with its inspectors →
//   an anonymous visitor opens the public page /public/draws/<task 2> and re-runs the draw in the browser
//   (verify-in-browser → verify-result data-state="ok") →
//   inspector mz.liuqiang opens 我的检查; when task 2 gave him no entity, the step says so and takes another demo
//   inspector who is on the drawn list (and, should none be, the officer swaps 刘强 onto the first entity: 调换) →
//   the inspector records result 1 (未发现问题) dated today with every item 1 / 实地检查 and submits it (提交审核) →
//   mz.wangli publishes it in 结果审核 → the public results page /public/results lists it.
//
//   CW_BASE_URL=http://127.0.0.1:18080 node draws.test.mjs
//
// Optional: CW_DEMO_PASSWORD (default Jiujiang#2026, the password of every demo account), CW_OFFICER_USER (default
// mz.wangli), CW_INSPECTOR_USER (default mz.liuqiang), CW_CHROMIUM (default /usr/bin/chromium), CW_TEST_TIMEOUT_MS
// (default 180000), CW_SHOW_WARNINGS=1 (print browser console warnings too, not only errors).
// The loop works once per fresh database (task 2 must still be a draft).
// Exit code 0 when every check passed, 1 on the first failed check (or the global timeout), 2 on a usage
// error. Screenshots go to ./out/ next to this file (draws-*.png).
import { CheckFailed, STEP_TIMEOUT_MS, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn } from './browser.mjs'

const VERIFY_TIMEOUT_MS = 60_000
const t = browserTest('draws', { timeoutMs: 180_000 })
const { step, note, pageErrors } = t

const BASE_URL = baseUrlFromEnv('draws.test', 'CW_BASE_URL=http://127.0.0.1:18080 [CW_DEMO_PASSWORD=...] node draws.test.mjs')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const OFFICER_USER = process.env.CW_OFFICER_USER || 'mz.wangli'
const INSPECTOR_USER = process.env.CW_INSPECTOR_USER || 'mz.liuqiang'

const TASK1_TITLE = '2026年第四季度养老机构双随机抽查'
const TASK2_TITLE = '2026年养老机构消防安全部门联合抽查'
// The demo inspector accounts (seed-demo) by the name the directory gives them.
const DEMO_INSPECTORS = { 刘强: 'mz.liuqiang', 周敏: 'mz.zhoumin', 黄涛: 'mz.huangtao', 吴刚: 'xf.wugang', 孙磊: 'wj.sunlei', 郑华: 'sj.zhenghua' }
// The department of the officer (民政): task 2 is its task, and it reviews the results of its own inspectors.
const OFFICER_DEPARTMENT = 'MZ'
const RESULT_LABEL = '1 未发现问题'
const METHOD_LABEL = '实地检查'

/** Today in Jiujiang (Asia/Shanghai), YYYY-MM-DD: the server checks inspection dates against it. */
function todayInChina() {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date())
      .map((p) => [p.type, p.value])
  )
  return `${parts.year}-${parts.month}-${parts.day}`
}
const TODAY = todayInChina()

// ---------------------------------------------------------------- helpers

const login = (page, user) => signIn(page, BASE_URL, user, PASSWORD)
const shot = (page, name) => t.shot(page, name)

/** Opens a page of the 双随机抽查 menu group (the group is opened first when it is closed). */
async function openDrawsMenu(page, key, path, listCall) {
  const item = page.locator(sel(`menu-${key}`))
  if (!(await item.isVisible())) {
    await page.locator(`${sel('menu-draws')} > .el-sub-menu__title`).click()
    await item.waitFor({ state: 'visible' })
  }
  if (listCall) await expectApi(page, 'GET', listCall, () => item.click(), `open ${path}`)
  else await item.click()
  await page.waitForURL((url) => url.pathname === path)
}

/** Picks an option of the Element Plus select `test` (inside `scope`) by its visible label, and checks it took. */
async function selectOption(page, scope, test, label) {
  const select = scope.locator(sel(test))
  await select.click()
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first()
  await option.waitFor({ state: 'visible' })
  await option.click()
  await option.waitFor({ state: 'hidden' })
  const shown = await select.innerText()
  check(shown.includes(label), `the select ${test} shows "${shown.trim()}" after choosing "${label}"`)
}

/** Types a date into the Element Plus date picker wrapped in `test` and checks the input took it. */
async function setDate(page, scope, test, value) {
  const input = scope.locator(`${sel(test)} input`)
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  await page.keyboard.press('Escape')
  const now = await input.inputValue()
  check(now === value, `the date ${test} shows "${now}" after typing ${value}`)
}

/** Waits until no visible dialog / drawer remains open with the given data-test. */
async function waitClosed(page, test) {
  await page.waitForFunction(
    (s) => ![...document.querySelectorAll(s)].some((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'),
    sel(test),
    { timeout: STEP_TIMEOUT_MS }
  )
}

async function confirmMessageBox(page) {
  const ok = page.locator('.el-message-box .cw-confirm-ok')
  await ok.waitFor({ state: 'visible' })
  return ok
}

/** The task list rows: { id, title, state } by title. */
async function taskRows(page) {
  const rows = page.locator(`${sel('tasks-table')} .el-table__body tr`)
  await rows.first().waitFor({ state: 'visible' })
  const out = {}
  for (const row of await rows.all()) {
    const title = (await row.locator(sel('cell-title')).innerText()).trim()
    const state = await row.locator(sel('cell-state')).getAttribute('data-state')
    const href = await row.locator(sel('cell-title')).getAttribute('href')
    out[title] = { state, id: Number(/\/draws\/tasks\/(\d+)/.exec(href || '')?.[1]) }
  }
  return out
}

/** The drawn list on the task page: [{ creditCode, name, members: [{ code, name, department }] }]. */
async function drawnList(page) {
  const rows = page.locator(`${sel('drawn-table')} .el-table__body tr`)
  await rows.first().waitFor({ state: 'visible' })
  const out = []
  for (const row of await rows.all()) {
    const members = []
    for (const m of await row.locator(sel('drawn-member')).all()) {
      members.push({ code: await m.getAttribute('data-code'), name: await m.getAttribute('data-name'), department: await m.getAttribute('data-department') })
    }
    out.push({
      creditCode: (await row.locator(sel('drawn-credit-code')).innerText()).trim(),
      name: (await row.locator(sel('drawn-name')).innerText()).trim(),
      members
    })
  }
  return out
}

/** Opens 我的检查 and returns the to-do rows of task 2: [{ institution }]. */
async function myTask2Rows(page) {
  if (new URL(page.url()).pathname === '/draws/mine') {
    await expectApi(page, 'GET', /\/api\/v1\/inspection-results\/mine$/, () => page.locator(sel('mine-refresh')).click(), 'reload 我的检查')
  } else {
    await openDrawsMenu(page, 'draws-mine', '/draws/mine', /\/api\/v1\/inspection-results\/mine$/)
  }
  await page.locator(sel('mine-table')).waitFor({ state: 'visible' })
  await page.waitForLoadState('networkidle').catch(() => {})
  const rows = page.locator(`${sel('mine-table')} .el-table__body tr`, { hasText: TASK2_TITLE })
  const out = []
  for (const row of await rows.all()) {
    const state = await row.locator(sel('mine-state')).getAttribute('data-state')
    if (state === 'pending' || state === 'returned') out.push({ institution: (await row.locator(sel('mine-institution')).innerText()).trim() })
  }
  return out
}

// ---------------------------------------------------------------- the loop

async function run() {
  let officer = null
  let visitor = null
  let inspector = null
  let inspectorUser = INSPECTOR_USER
  let task2Id = 0
  let drawn = []
  let target = null // { institution, creditCode }

  await step('launch chromium', async () => {
    await t.launch()
    officer = await t.newPage(OFFICER_USER)
    visitor = await t.newPage('visitor')
  })

  await step(`${OFFICER_USER} opens 抽查任务: task 1 is drawn, task 2 is a draft`, async () => {
    await login(officer, OFFICER_USER)
    await openDrawsMenu(officer, 'draws-tasks', '/draws/tasks', /\/api\/v1\/inspection-tasks$/)
    const tasks = await taskRows(officer)
    check(tasks[TASK1_TITLE], `the task list has no "${TASK1_TITLE}" (titles: ${Object.keys(tasks).join(', ')})`)
    check(tasks[TASK1_TITLE].state === 'drawn', `task 1 is ${tasks[TASK1_TITLE].state}, expected drawn`)
    check(tasks[TASK2_TITLE], `the task list has no "${TASK2_TITLE}"`)
    check(tasks[TASK2_TITLE].state === 'draft', `task 2 is ${tasks[TASK2_TITLE].state}; this test needs a fresh database (seed-demo) where it is a draft`)
    task2Id = tasks[TASK2_TITLE].id
    check(task2Id > 0, 'task 2 has no id in its link')
    await shot(officer, '1-tasks')
  })

  await step(`${OFFICER_USER} opens task 2 and makes sure its window has started (today ${TODAY})`, async () => {
    const link = officer.locator(`${sel('tasks-table')} ${sel('cell-title')}`, { hasText: TASK2_TITLE })
    const task = await expectApi(officer, 'GET', new RegExp(`/api/v1/inspection-tasks/${task2Id}$`), () => link.click(), 'open task 2')
    await officer.locator(`${sel('task-state')}[data-state="draft"]`).waitFor({ state: 'visible' })
    await officer.locator(sel('task-steps')).waitFor({ state: 'visible' })
    if (task.window_start <= TODAY && task.window_end >= TODAY) {
      note(`the window ${task.window_start} ~ ${task.window_end} is open; no edit needed`)
      return
    }
    note(`the window ${task.window_start} ~ ${task.window_end} does not include today: the task editor moves it`)
    await officer.locator(sel('task-edit')).click()
    await officer.waitForURL((url) => url.pathname === `/draws/tasks/${task2Id}/edit`)
    const form = officer.locator(sel('task-form'))
    await form.locator(sel('field-title')).waitFor({ state: 'visible' })
    await officer.waitForFunction((s) => document.querySelector(s)?.value !== '', `${sel('field-title')}`)
    if (task.window_start > TODAY) await setDate(officer, form, 'field-window-start', TODAY)
    if (task.window_end < TODAY) await setDate(officer, form, 'field-window-end', TODAY)
    await shot(officer, '2-edit')
    const saved = await expectApi(officer, 'PUT', new RegExp(`/api/v1/inspection-tasks/${task2Id}$`), () => officer.locator(sel('task-save')).click(), 'save task 2')
    check(saved.window_start <= TODAY && saved.window_end >= TODAY, `task 2 was saved with window ${saved.window_start} ~ ${saved.window_end}`)
    check(saved.state === 'draft' && saved.title === TASK2_TITLE, `task 2 came back as ${saved.state} "${saved.title}"`)
    await officer.waitForURL((url) => url.pathname === `/draws/tasks/${task2Id}`)
    await officer.locator(`${sel('task-state')}[data-state="draft"]`).waitFor({ state: 'visible' })
  })

  await step(`${OFFICER_USER} locks task 2 (锁定并公示承诺) and sees a 64-hex commitment`, async () => {
    await officer.locator(sel('task-lock')).click()
    const ok = await confirmMessageBox(officer)
    const task = await expectApi(officer, 'POST', new RegExp(`/api/v1/inspection-tasks/${task2Id}/lock$`), () => ok.click(), 'lock task 2')
    check(task.state === 'locked', `lock gave state ${task.state}`)
    await officer.locator(`${sel('task-state')}[data-state="locked"]`).waitFor({ state: 'visible' })
    const commitment = officer.locator(`${sel('task-commitment')} ${sel('hash-text')}`)
    await commitment.waitFor({ state: 'visible' })
    const value = (await commitment.innerText()).trim()
    check(/^[0-9a-f]{64}$/.test(value), `the commitment shown is "${value}", expected 64 hex characters`)
    check((await officer.locator(sel('task-secret')).count()) === 0, 'the secret is shown before the draw')
    note(`commitment ${value}`)
    await shot(officer, '3-locked')
  })

  await step(`${OFFICER_USER} draws task 2 and sees the drawn list with its inspectors`, async () => {
    await officer.locator(sel('task-draw')).click()
    const dialog = officer.locator(sel('draw-dialog'))
    await dialog.locator(sel('draw-submit')).waitFor({ state: 'visible' })
    const waiting = officer.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/inspection-tasks\/\d+\/draw$/.test(new URL(r.url()).pathname))
    await dialog.locator(sel('draw-submit')).click()
    const response = await waiting
    if (response.status() !== 200) {
      const err = dialog.locator(sel('draw-error'))
      await err.waitFor({ state: 'visible' })
      throw new CheckFailed(`the draw returned HTTP ${response.status()}; the dialog says: ${(await err.innerText()).replace(/\s+/g, ' ')}`)
    }
    const task = await response.json()
    check(task.state === 'drawn' && task.selected_count > 0, `the draw gave state ${task.state} with ${task.selected_count} selected`)
    await waitClosed(officer, 'draw-dialog')
    await officer.locator(`${sel('task-state')}[data-state="drawn"]`).waitFor({ state: 'visible' })
    await officer.locator(`${sel('task-secret')} ${sel('hash-text')}`).waitFor({ state: 'visible' })
    drawn = await drawnList(officer)
    check(drawn.length === task.selected_count, `the drawn list shows ${drawn.length} institutions, the task drew ${task.selected_count}`)
    for (const e of drawn) {
      const depts = e.members.map((m) => m.department).sort().join(',')
      check(depts === 'MZ,XF', `${e.name} has inspectors of [${depts}], expected one of MZ and one of XF`)
      check(e.members.every((m) => /^I\d{6}$/.test(m.code) && m.name), `${e.name} lists inspectors ${JSON.stringify(e.members)}`)
    }
    note(`drawn: ${drawn.map((e) => `${e.name} [${e.members.map((m) => `${m.code} ${m.name}`).join(', ')}]`).join('; ')}`)
    await officer.locator(`${sel('task-results-table')} .el-table__body tr`).first().waitFor({ state: 'visible' })
    await shot(officer, '4-drawn')
  })

  await step('an anonymous visitor re-runs the draw of task 2 in the browser (公示页面 → 在浏览器中验证)', async () => {
    const response = await visitor.goto(`${BASE_URL}/public/draws/${task2Id}`, { waitUntil: 'domcontentloaded' })
    check(response && response.ok(), `GET /public/draws/${task2Id} returned HTTP ${response && response.status()}`)
    const title = visitor.locator(sel('public-draw-title'))
    await title.waitFor({ state: 'visible' })
    check((await title.innerText()).trim() === TASK2_TITLE, `the public page shows "${await title.innerText()}"`)
    const button = visitor.locator('[data-testid="verify-in-browser"]')
    await button.waitFor({ state: 'visible' })
    await visitor.waitForFunction((s) => !document.querySelector(s)?.disabled, '[data-testid="verify-in-browser"]')
    await button.click()
    const result = visitor.locator('[data-testid="verify-result"]')
    await result.waitFor({ state: 'visible', timeout: VERIFY_TIMEOUT_MS })
    const state = await result.getAttribute('data-state')
    check(state === 'ok', `the in-browser verification ended "${state}": ${(await result.innerText()).replace(/\s+/g, ' ')}`)
    await shot(visitor, '5-public-verified')
  })

  await step(`${INSPECTOR_USER} opens 我的检查 (and another demo inspector is used when task 2 gave him nothing)`, async () => {
    inspector = await t.newPage(INSPECTOR_USER)
    await login(inspector, INSPECTOR_USER)
    let todo = await myTask2Rows(inspector)
    await shot(inspector, '6-mine')
    if (todo.length) {
      note(`${INSPECTOR_USER} has ${todo.length} entit${todo.length === 1 ? 'y' : 'ies'} of task 2: ${todo.map((r) => r.institution).join(', ')}`)
    } else {
      const myName = Object.keys(DEMO_INSPECTORS).find((n) => DEMO_INSPECTORS[n] === INSPECTOR_USER)
      note(`${INSPECTOR_USER} (${myName}) has no assignment in task 2; looking for another demo inspector on the drawn list`)
      // A member of the officer's department (民政): the officer reviews the results of that department only.
      const members = drawn
        .flatMap((e) => e.members)
        .filter((m) => m.department === OFFICER_DEPARTMENT && DEMO_INSPECTORS[m.name] && DEMO_INSPECTORS[m.name] !== INSPECTOR_USER)
      if (members.length) {
        inspectorUser = DEMO_INSPECTORS[members[0].name]
        note(`using ${inspectorUser} (${members[0].name}, ${members[0].department}), who is on the drawn list`)
      } else {
        // Nobody of the department with a sign-in account was drawn: the officer swaps 刘强 onto an entity (调换).
        // The server refuses an entity he is excluded from (e.g. rotation: he had it in task 1); the next is tried.
        let swapped = false
        for (const entity of drawn) {
          const leaving = entity.members.find((m) => m.department === OFFICER_DEPARTMENT)
          note(`no demo inspector account of ${OFFICER_DEPARTMENT} is on the drawn list; ${OFFICER_USER} swaps ${myName} in for ${leaving.code} on ${entity.name}`)
          const row = officer.locator(`${sel('drawn-table')} .el-table__body tr`, { hasText: entity.creditCode })
          await row.locator(`${sel('drawn-member')}[data-code="${leaving.code}"] ${sel('swap-open')}`).click()
          const dialog = officer.locator(sel('swap-dialog'))
          await dialog.locator(sel('swap-reason')).waitFor({ state: 'visible' })
          await selectOption(officer, dialog, 'swap-added', myName)
          await dialog.locator(sel('swap-reason')).fill('浏览器测试：调换为有登录账号的检查人员')
          const waiting = officer.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/inspection-tasks\/\d+\/swaps$/.test(new URL(r.url()).pathname))
          await dialog.locator(sel('swap-submit')).click()
          const response = await waiting
          if (response.ok()) {
            await waitClosed(officer, 'swap-dialog')
            const member = officer.locator(`${sel('drawn-table')} .el-table__body tr`, { hasText: entity.creditCode }).locator(sel('drawn-member'), { hasText: myName })
            await member.waitFor({ state: 'visible' })
            swapped = true
            break
          }
          note(`the swap was refused (HTTP ${response.status()}): ${(await response.text()).slice(0, 200)}`)
          await dialog.getByRole('button', { name: '取消' }).click()
          await waitClosed(officer, 'swap-dialog')
        }
        check(swapped, `${myName} could not be swapped onto any drawn entity`)
      }
      if (inspectorUser !== INSPECTOR_USER) {
        inspector = await t.newPage(inspectorUser)
        await login(inspector, inspectorUser)
      }
      todo = await myTask2Rows(inspector)
      check(todo.length > 0, `${inspectorUser} has no entity of task 2 to record in 我的检查`)
    }
    const entity = drawn.find((e) => e.name === todo[0].institution)
    check(entity, `the institution ${todo[0].institution} of 我的检查 is not on the drawn list`)
    target = { institution: entity.name, creditCode: entity.creditCode }
  })

  await step(`${inspectorUser} records result 1 dated ${TODAY}, every item 1 / 实地检查, and submits it (提交审核)`, async () => {
    const row = inspector.locator(`${sel('mine-table')} .el-table__body tr`, { hasText: TASK2_TITLE }).filter({ hasText: target.institution }).first()
    await expectApi(inspector, 'GET', /\/api\/v1\/inspection-tasks\/\d+$/, () => row.locator(sel('mine-open')).click(), 'open the result form')
    const form = inspector.locator(sel('result-form'))
    await form.waitFor({ state: 'visible' })
    await inspector.locator(`${sel('result-state')}[data-state="pending"]`).waitFor({ state: 'visible' })
    await selectOption(inspector, form, 'field-result-code', RESULT_LABEL)
    const date = form.locator(`${sel('field-inspected-on')} input`)
    if ((await date.inputValue()) !== TODAY) await setDate(inspector, form, 'field-inspected-on', TODAY)
    const codes = []
    for (const el of await form.locator('[data-test^="item-row-"]').all()) codes.push((await el.getAttribute('data-test')).slice('item-row-'.length))
    check(codes.length > 0, 'the result form lists no inspection item')
    for (const code of codes) {
      await selectOption(inspector, form, `item-result-${code}`, RESULT_LABEL)
      await selectOption(inspector, form, `item-method-${code}`, METHOD_LABEL)
    }
    note(`items: ${codes.join(', ')}`)
    await shot(inspector, '7-result-form')
    await inspector.locator(sel('result-submit')).click()
    const ok = await confirmMessageBox(inspector)
    const saving = inspector.waitForResponse((r) => r.request().method() === 'PUT' && /\/api\/v1\/inspection-results\/\d+$/.test(new URL(r.url()).pathname))
    const result = await expectApi(inspector, 'POST', /\/api\/v1\/inspection-results\/\d+\/submit$/, async () => {
      await ok.click()
      const saved = await saving
      if (saved.status() !== 200) throw new CheckFailed(`saving the result returned HTTP ${saved.status()} ${await saved.text()}`)
    }, 'submit the result')
    check(result.state === 'submitted' && result.result_code === '1', `the result came back ${result.state} / ${result.result_code}`)
    check(result.inspected_on === TODAY, `the result is dated ${result.inspected_on}, expected ${TODAY}`)
    check(result.items.length === codes.length && result.items.every((i) => i.result_code === '1' && i.check_method === 'site'), `the items came back ${JSON.stringify(result.items)}`)
    check(!!result.publish_due, 'the submitted result has no publication due date')
    await inspector.locator(`${sel('result-state')}[data-state="submitted"]`).waitFor({ state: 'visible' })
    await shot(inspector, '8-submitted')
  })

  await step(`${OFFICER_USER} publishes the result in 结果审核`, async () => {
    await openDrawsMenu(officer, 'draws-results', '/draws/results', /\/api\/v1\/inspection-results$/)
    const row = officer.locator(`${sel('results-table')} .el-table__body tr`, { hasText: target.creditCode })
      .filter({ has: officer.locator(`${sel('cell-state')}[data-state="submitted"]`) })
      .first()
    await row.waitFor({ state: 'visible' })
    await expectApi(officer, 'GET', /\/api\/v1\/inspection-results\/\d+$/, () => row.click(), 'open the result')
    const drawer = officer.locator(sel('result-drawer'))
    await drawer.locator(`${sel('result-detail')}[data-state="submitted"]`).waitFor({ state: 'visible' })
    await shot(officer, '9-review')
    await drawer.locator(sel('review-publish')).click()
    const ok = await confirmMessageBox(officer)
    const result = await expectApi(officer, 'POST', /\/api\/v1\/inspection-results\/\d+\/review$/, () => ok.click(), 'publish the result')
    check(result.state === 'published' && !!result.published_at, `publishing gave state ${result.state}`)
    await drawer.locator(`${sel('result-detail')}[data-state="published"]`).waitFor({ state: 'visible' })
    await officer.keyboard.press('Escape')
    await waitClosed(officer, 'result-drawer')
  })

  await step('the public results page (/public/results) lists the published result', async () => {
    const response = await visitor.goto(`${BASE_URL}/public/results`, { waitUntil: 'domcontentloaded' })
    check(response && response.ok(), `GET /public/results returned HTTP ${response && response.status()}`)
    await visitor.locator(sel('public-results-table')).waitFor({ state: 'visible' })
    await visitor.locator(sel('public-results-credit-code')).fill(target.creditCode)
    const data = await expectApi(visitor, 'GET', /\/api\/v1\/public\/results$/, () => visitor.locator(sel('public-results-search')).click(), 'search the public results')
    check(data.items && data.items.some((r) => r.credit_code === target.creditCode && r.task_title === TASK2_TITLE), `the public results for ${target.creditCode} are ${JSON.stringify(data.items)}`)
    const row = visitor.locator(`${sel('public-results-table')} .el-table__body tr`, { hasText: target.institution }).filter({ hasText: TASK2_TITLE }).first()
    await row.waitFor({ state: 'visible' })
    const label = (await row.locator(sel('cell-result')).innerText()).trim()
    check(label.includes('未发现问题'), `the public row shows the result "${label}", expected 未发现问题`)
    await shot(visitor, '10-public-results')
  })

  await step('no uncaught errors in the pages', async () => {
    check(pageErrors.length === 0, `${pageErrors.length} uncaught page error(s):\n${pageErrors.join('\n')}`)
  })
}

await t.run(run, ` against ${BASE_URL}`)
