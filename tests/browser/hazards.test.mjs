// The rectification loop in the browser (Debian's Chromium, headless), against `carewatch serve` on a freshly
// seeded database:
//   setup (API, the draws browser test covers these screens): 王丽 draws a task over 濂溪区, 刘强 records an
//   inspection result that orders correction under catalogue entry MA-15, 王丽 publishes it -> a hazard exists;
//   the administrator gives the drawn institution an account;
//   browser: the institution finds the hazard, acknowledges it, uploads a photo and a PDF (progress bar), submits;
//   刘强 (the reporter) cannot verify it (four eyes); 赵丽 rejects it with reasons; the institution sees the
//   rejection, uploads again and resubmits; 王丽 verifies and it is closed; the history shows every step and the
//   audit log has them.
// Exit code 0 when every check passed, 1 on the first failed check, 2 on a usage error.
import { deflateSync } from 'node:zlib'
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { CheckFailed, baseUrlFromEnv, browserTest, check, expectApi, sel, signIn } from './browser.mjs'

const t = browserTest('hazards', { timeoutMs: 180_000 })
const { step, note, pageErrors } = t

const BASE_URL = baseUrlFromEnv('hazards.test', 'CW_BASE_URL=http://127.0.0.1:18080 [CW_DEMO_PASSWORD=...] node hazards.test.mjs')
const PASSWORD = process.env.CW_DEMO_PASSWORD || 'Jiujiang#2026'
const INSTITUTION_USER = `inst.hz${Date.now() % 100000}`
const ORDER = '限期十日内清理二楼疏散通道并解除安全出口门锁'

function todayInChina(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000)
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(d)
      .map((p) => [p.type, p.value])
  )
  return `${parts.year}-${parts.month}-${parts.day}`
}

// ---------------------------------------------------------------- the API side of the setup

const tokens = {}
async function api(user, method, path, body) {
  if (!tokens[user]) {
    const r = await fetch(`${BASE_URL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: PASSWORD })
    })
    check(r.ok, `sign-in of ${user} over the API: HTTP ${r.status}`)
    tokens[user] = (await r.json()).token
  }
  const r = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokens[user]}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await r.text()
  check(r.ok, `${user} ${method} ${path}: HTTP ${r.status} ${text}`)
  return text ? JSON.parse(text) : {}
}

// ---------------------------------------------------------------- evidence files

/** A real 8x8 PNG of one colour (valid chunks and CRCs), so the browser can show it. */
function png(rgb) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    out.write(type, 4, 'ascii')
    data.copy(out, 8)
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(8, 0)
  header.writeUInt32BE(8, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array(8).fill(rgb).flat()])))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))
  ])
}

function pdf(text) {
  return Buffer.from(`%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n% ${text}\ntrailer <</Root 1 0 R>>\n%%EOF\n`)
}

const FILES_DIR = join(tmpdir(), `cw-hazards-browser-${process.pid}`)
mkdirSync(FILES_DIR, { recursive: true })
function file(name, bytes) {
  const path = join(FILES_DIR, name)
  writeFileSync(path, bytes)
  return path
}
const PHOTO = file('疏散通道整改后.png', png([40, 160, 80]))
const RECORD = file('整改报告.pdf', pdf('rectification report, round 1'))
const RECORD2 = file('整改报告-补充门锁更换记录.pdf', pdf('rectification report, round 2 with the lock replacement'))

// ---------------------------------------------------------------- browser helpers

const login = (page, user) => signIn(page, BASE_URL, user, PASSWORD)

async function openHazard(page, id) {
  await expectApi(page, 'GET', new RegExp(`^/api/v1/hazards/${id}$`), () => page.goto(`${BASE_URL}/hazards/${id}`), 'the hazard')
  await page.locator(sel('hazard-state')).waitFor()
}

async function stateOf(page) {
  return page.locator(sel('hazard-state')).getAttribute('data-state')
}

/** Opens an action's dialog, fills its one text field and confirms; waits for the API call. */
async function act(page, action, field, text, apiAction) {
  await page.locator(sel(`action-${action}`)).click()
  const dialog = page.locator(sel('action-dialog'))
  await dialog.waitFor()
  if (field) await dialog.locator(`${sel(field)} textarea`).fill(text)
  await expectApi(page, 'POST', new RegExp(`/api/v1/hazards/\\d+/${apiAction}$`), () => dialog.locator(sel('action-dialog-submit')).click(), apiAction)
  await dialog.waitFor({ state: 'hidden' })
}

async function upload(page, path) {
  const before = await page.locator(sel('evidence-item')).count()
  await expectApi(page, 'POST', /\/api\/v1\/hazards\/\d+\/evidence$/, () => page.locator(`${sel('action-upload')} input[type=file]`).setInputFiles(path), 'the upload')
  await page.locator(sel('upload-progress')).waitFor()
  await page.waitForFunction(
    ([selector, n]) => document.querySelectorAll(selector).length > n,
    [sel('evidence-item'), before]
  )
}

// ---------------------------------------------------------------- the test

await t.run(async () => {
  let hazardId = 0
  let institutionName = ''

  await step('setup over the API: a published inspection result orders correction and becomes a hazard', async () => {
    const plans = await api('mz.wangli', 'GET', '/api/v1/inspection-plans')
    const task = await api('mz.wangli', 'POST', '/api/v1/inspection-tasks', {
      plan_id: plans.items[0].id,
      title: `濂溪区养老机构消防专项抽查 ${Date.now() % 100000}`,
      region_code: '360402',
      kinds: ['elderly_institution', 'community_elderly_facility', 'rural_elderly_home'],
      strata_by: ['region'],
      ratios: { A: '100%', B: '100%', C: '100%', D: '100%' },
      window_start: todayInChina(),
      window_end: todayInChina(30),
      cross_jurisdiction: false,
      beacon_source: '',
      items: ['MZ-YL-01'],
      requirements: [{ department_code: 'MZ', per_entity: 2 }]
    })
    const base = `/api/v1/inspection-tasks/${task.id}`
    await api('mz.wangli', 'POST', `${base}/lock`)
    await api('mz.wangli', 'POST', `${base}/draw`, {})
    const me = await api('mz.liuqiang', 'GET', '/api/v1/inspectors/me')
    const mine = async () => (await api('mz.liuqiang', 'GET', '/api/v1/inspection-results/mine')).items.filter((r) => r.task_id === task.id)
    if ((await mine()).length === 0) {
      const drawn = (await api('mz.wangli', 'GET', `${base}/drawn`)).items[0]
      await api('mz.wangli', 'POST', `${base}/swaps`, {
        credit_code: drawn.credit_code,
        removed_inspector: drawn.inspectors[0].code,
        added_inspector: me.code,
        reason: '浏览器测试：指派刘强'
      })
    }
    const result = (await mine())[0]
    check(result, '刘强 has no result to record in the new task')
    institutionName = result.institution_name
    await api('mz.liuqiang', 'PUT', `/api/v1/inspection-results/${result.id}`, {
      result_code: 'A',
      problem_reasons: ['D'],
      inspected_on: todayInChina(),
      findings: '二楼疏散通道堆放杂物，安全出口上锁',
      followup: 'order_correction',
      followup_description: ORDER,
      followup_hazard_code: 'MA-15',
      items: [{ item_code: 'MZ-YL-01', result_code: 'A', check_method: 'site', note: '安全出口上锁' }]
    })
    await api('mz.liuqiang', 'POST', `/api/v1/inspection-results/${result.id}/submit`)
    await api('mz.wangli', 'POST', `/api/v1/inspection-results/${result.id}/review`, { decision: 'publish' })
    const hazards = await api('mz.wangli', 'GET', `/api/v1/hazards?source=inspection&institution_id=${result.institution_id}`)
    const hazard = hazards.items.find((h) => h.description === ORDER)
    check(hazard, `no hazard was reported for ${institutionName} from the published result`)
    check(hazard.state === 'notified' && hazard.reported_by === '刘强', `unexpected hazard ${JSON.stringify(hazard)}`)
    hazardId = hazard.id
    await api('admin', 'POST', '/api/v1/admin/users', {
      username: INSTITUTION_USER,
      display_name: institutionName.slice(0, 32),
      role: 'institution',
      institution_id: result.institution_id,
      password: PASSWORD
    })
    note(`hazard ${hazard.reference} of ${institutionName}; institution account ${INSTITUTION_USER}`)
  })

  await t.launch()
  const inst = await t.newPage('institution')
  await step(`${INSTITUTION_USER} sees the hazard in 风险隐患 and acknowledges it`, async () => {
    await login(inst, INSTITUTION_USER)
    await expectApi(inst, 'GET', /^\/api\/v1\/hazards$/, () => inst.goto(`${BASE_URL}/hazards`), 'the hazard list')
    const row = inst.locator(sel('hazard-row'), { hasText: '疏散通道' })
    await row.first().waitFor()
    await openHazard(inst, hazardId)
    check((await stateOf(inst)) === 'notified', `state ${await stateOf(inst)}, expected notified`)
    check((await inst.locator(sel('hazard-severity')).getAttribute('data-severity')) === 'major', 'MA-15 is a major hazard')
    await expectApi(inst, 'POST', /\/acknowledge$/, async () => {
      await inst.locator(sel('action-acknowledge')).click()
      await inst.locator('.el-message-box__btns .el-button--primary').click()
    }, 'acknowledge')
    await inst.waitForFunction((s) => document.querySelector(s)?.getAttribute('data-state') === 'rectifying', sel('hazard-state'))
  })

  await step('the institution uploads a photo and a PDF with a progress bar, then submits', async () => {
    await upload(inst, PHOTO)
    await upload(inst, RECORD)
    check((await inst.locator(sel('upload-progress')).getAttribute('data-status')) === 'success', 'the progress bar ends in success')
    check((await inst.locator(sel('evidence-preview')).count()) >= 1, 'the photo is previewed')
    await act(inst, 'submit', 'submit-note', '已清理疏散通道杂物，拆除安全出口门锁并更换为推闩式逃生门锁。', 'submit')
    check((await stateOf(inst)) === 'submitted', `state ${await stateOf(inst)}, expected submitted`)
    await t.shot(inst, 'submitted')
  })

  const liu = await t.newPage('reporter')
  await step('刘强 reported it, so he cannot verify it (four eyes)', async () => {
    await login(liu, 'mz.liuqiang')
    await openHazard(liu, hazardId)
    const verify = liu.locator(sel('action-verify'))
    check((await verify.getAttribute('data-four-eyes')) === 'true', 'the verify button is marked four-eyes for the reporter')
    check(await verify.isDisabled(), 'the reporter cannot press verify')
  })

  const zhao = await t.newPage('second-officer')
  await step('赵丽 sees the evidence beside the hazard and rejects it with reasons', async () => {
    await login(zhao, 'mz.zhaoli')
    await openHazard(zhao, hazardId)
    check((await zhao.locator(sel('evidence-item')).count()) === 2, 'two files beside the hazard')
    await act(zhao, 'reject', 'reject-reasons', '未提供门锁更换的照片或记录，请补充。', 'reject')
    check((await stateOf(zhao)) === 'rectifying', `state ${await stateOf(zhao)}, expected rectifying`)
  })

  await step('the institution sees the rejection, uploads again and resubmits', async () => {
    await openHazard(inst, hazardId)
    const rejection = inst.locator(sel('hazard-last-rejection'))
    await rejection.waitFor()
    check((await rejection.innerText()).includes('门锁更换'), 'the rejection reasons are shown')
    await upload(inst, RECORD2)
    await act(inst, 'submit', 'submit-note', '补充门锁更换记录与照片。', 'submit')
    check((await stateOf(inst)) === 'submitted', `state ${await stateOf(inst)}, expected submitted`)
  })

  const wang = await t.newPage('verifier')
  await step('王丽 verifies it: closed, with every step in the history and the audit log', async () => {
    await login(wang, 'mz.wangli')
    await openHazard(wang, hazardId)
    await act(wang, 'verify', 'verify-note', '现场复核：通道畅通，门锁已更换。', 'verify')
    check((await stateOf(wang)) === 'verified', `state ${await stateOf(wang)}, expected verified`)
    const actions = await wang.locator(sel('timeline-event')).evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    for (const a of ['reported', 'notified', 'acknowledged', 'evidence_added', 'submitted', 'rejected', 'verified']) {
      check(actions.includes(a), `the history shows "${a}" (it has ${actions.join(', ')})`)
    }
    const audit = await api('admin', 'GET', `/api/v1/admin/audit?object_id=${hazardId}&page_size=100`)
    const logged = new Set(audit.items.filter((e) => e.object_type === 'hazard').map((e) => e.action))
    for (const a of ['hazard.report', 'hazard.acknowledge', 'hazard.evidence.add', 'hazard.submit', 'hazard.reject', 'hazard.verify']) {
      check(logged.has(a), `the audit log has ${a}`)
    }
    await t.shot(wang, 'verified')
  })

  await step('another institution cannot open the hazard', async () => {
    const other = await t.newPage('other-institution')
    await login(other, 'inst.xiaoxingxing')
    await other.goto(`${BASE_URL}/hazards/${hazardId}`)
    await other.locator(sel('hazard-not-found')).waitFor()
  })

  await step('no uncaught errors in the pages', async () => {
    if (pageErrors.length) throw new CheckFailed(`uncaught page errors:\n${pageErrors.join('\n')}`)
  })
}, ": the rectification loop from an inspection order to verification")
