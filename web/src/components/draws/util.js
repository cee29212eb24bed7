// Display helpers of the console's draw pages (双随机抽查): labels of codes, tag colours, dates.
import { i18n } from '../../i18n/index.js'

const te = (key) => i18n.global.te(key) || i18n.global.te(key, 'zh-CN')
const t = (...args) => i18n.global.t(...args)

/** The label of a code under `prefix` ('draws.followup', 'order_correction'); the code itself when unknown. */
export function label(prefix, value) {
  if (value === null || value === undefined || value === '') return ''
  const key = `${prefix}.${value}`
  return te(key) ? t(key) : String(value)
}

/** A result code as text: the public portal's labels (publicDraws.resultCode). */
export const resultLabel = (code) => label('publicDraws.resultCode', code)
/** "1 未发现问题": the code and its label, as the provincial platform lists them. */
export const resultOption = (code) => `${code} ${resultLabel(code)}`
export const problemReasonLabel = (code) => label('draws.problemReason', code)
export const checkMethodLabel = (m) => label('draws.checkMethod', m)
export const followupLabel = (f) => label('draws.followup', f)
export const resultStateLabel = (s) => label('draws.resultState', s)
export const taskStateLabel = (s) => label('publicDraws.state', s)
export const inspectorStatusLabel = (s) => label('draws.inspectorStatus', s)
export const memberKindLabel = (s) => label('draws.memberKind', s)
export const kindLabel = (k) => label('registry.kind', k)

const RESULT_STATE_TAG = { pending: 'info', submitted: 'warning', returned: 'danger', rejected: 'danger', published: 'success' }
export const resultStateTag = (s) => RESULT_STATE_TAG[s] ?? 'info'
const INSPECTOR_STATUS_TAG = { active: 'success', on_leave: 'warning', retired: 'info' }
export const inspectorStatusTag = (s) => INSPECTOR_STATUS_TAG[s] ?? 'info'
// The colour of a result code: 1 green, E blue, closed/deregistered grey, refusals red, problems orange.
const RESULT_CODE_TAG = { 1: 'success', E: 'primary', F: 'info', 9: 'info', 12: 'info', 7: 'danger', 8: 'danger', 10: 'danger', 11: 'danger' }
export function resultCodeTag(code) {
  const c = String(code ?? '').toUpperCase()
  return c ? RESULT_CODE_TAG[c] || 'warning' : 'info'
}

/** Today in Jiujiang (Asia/Shanghai) as YYYY-MM-DD: the day the server checks inspection dates against. */
export function todayInChina(now = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now)
      .map((p) => [p.type, p.value])
  )
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** "start ~ end" of an inspection window. */
export function windowText(start, end) {
  return start || end ? `${start || '…'} ~ ${end || '…'}` : '—'
}

/** "10%" → "10"; anything else as it is. */
export const percentNumber = (v) => String(v ?? '').trim().replace(/%$/, '')

/**
 * The draw's 409 when a department cannot staff an entity ("entity X needs N inspector(s) of department D but only
 * M are eligible (… load cap of C)") → { creditCode, department, need, have, cap }; null for any other message.
 */
export function parseUnstaffable(message) {
  const m = /entity (\S+) needs (\d+) inspector\(s\) of department (\S+) but only (\d+) are eligible(?:.*?load cap of (\d+))?/.exec(String(message || ''))
  if (!m) return null
  return { creditCode: m[1], need: Number(m[2]), department: m[3], have: Number(m[4]), cap: m[5] === undefined ? null : Number(m[5]) }
}

/** The first server error field of a list ("ratios.A", "requirements[1]") reduced to the form's field name. */
export function topField(field) {
  return String(field || '').replace(/[.[].*$/, '')
}

/** A department's name from the reference list (English name in English), the code when unknown. */
export function departmentName(departments, code) {
  if (!code) return '—'
  const d = (departments || []).find((x) => x.code === code)
  if (!d) return code
  return i18n.global.locale.value === 'en' && d.name_en ? d.name_en : d.name
}
