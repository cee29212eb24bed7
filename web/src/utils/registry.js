// Institution records on the client: form model <-> API record, changed-field detection, value display and
// the check digits of 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999).
import { RECORD_FIELDS, KINDS_BY_SECTOR } from '../constants.js'
import { i18n } from '../i18n/index.js'

const te = (key) => i18n.global.te(key) || i18n.global.te(key, 'zh-CN')

export const INTEGER_FIELDS = ['capacity', 'nursing_beds']
export const DECIMAL_FIELDS = ['longitude', 'latitude', 'inclusive_price']
export const CHOICE_FIELDS = { kind: 'kind', ownership: 'ownership', medical_integration: 'medical' }

const LICENCE_KEYS = ['kind', 'number', 'issuer', 'expires_on']
const RELATION_KEYS = ['relation', 'party_name', 'party_credit_code', 'valid_from', 'valid_to']

export const emptyLicence = () => ({ kind: '', number: '', issuer: '', expires_on: '' })
export const emptyRelation = () => ({ relation: '', party_name: '', party_credit_code: '', valid_from: '', valid_to: '' })

const isBlank = (v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')
const text = (v) => (isBlank(v) ? '' : String(v))

/** An API record (institution, version record or filing proposal) → the model the forms edit (all text). */
export function recordToForm(record) {
  const r = record || {}
  const f = {}
  for (const k of RECORD_FIELDS) {
    if (k === 'inclusive') f[k] = r[k] === true || r[k] === 'true'
    else if (k === 'medical_integration') f[k] = r[k] || 'none'
    else if (k === 'legal_rep_id_number') f[k] = '' // shown masked; typed in only to change it
    else f[k] = text(r[k])
  }
  f.licences = (r.licences || []).map((l) => Object.fromEntries(LICENCE_KEYS.map((k) => [k, text(l[k])])))
  f.relations = (r.relations || []).map((x) => Object.fromEntries(RELATION_KEYS.map((k) => [k, text(x[k])])))
  return f
}

function listOf(list, keys) {
  return (list || []).map((item) =>
    Object.fromEntries(keys.map((k) => [k, isBlank(item[k]) ? null : String(item[k]).trim()]))
  )
}

/**
 * The form model → a complete API record: text trimmed, empty → null, numbers as numbers, the flag as a
 * boolean. The resident ID is included only when one was typed in (never the masked value).
 */
export function formToRecord(form, { sector } = {}) {
  const out = {}
  for (const k of RECORD_FIELDS) {
    const v = form[k]
    if (k === 'inclusive') out[k] = !!v
    else if (k === 'legal_rep_id_number') {
      if (!isBlank(v) && !String(v).includes('*')) out[k] = String(v).trim().toUpperCase()
    } else if (INTEGER_FIELDS.includes(k) || DECIMAL_FIELDS.includes(k)) out[k] = isBlank(v) ? null : Number(String(v).trim())
    else if (k === 'credit_code') out[k] = isBlank(v) ? null : String(v).trim().toUpperCase()
    else out[k] = isBlank(v) ? null : String(v).trim()
  }
  if (!out.inclusive) out.inclusive_price = null
  if (!out.medical_integration) out.medical_integration = 'none'
  if (out.medical_integration === 'none') out.medical_partner = null
  if (sector === 'childcare') out.nursing_beds = null
  out.licences = listOf(form.licences, LICENCE_KEYS)
  out.relations = listOf(form.relations, RELATION_KEYS)
  return out
}

function canon(field, v) {
  if (field === 'inclusive') return v === true || v === 'true' ? 'true' : 'false'
  if (field === 'medical_integration') return isBlank(v) ? 'none' : String(v)
  if (isBlank(v)) return ''
  if (INTEGER_FIELDS.includes(field) || DECIMAL_FIELDS.includes(field)) {
    const n = Number(v)
    return Number.isFinite(n) ? String(n) : String(v).trim()
  }
  return String(v).trim()
}

export function sameValue(field, a, b) {
  return canon(field, a) === canon(field, b)
}

function sameList(a, b, keys) {
  return JSON.stringify(listOf(a, keys)) === JSON.stringify(listOf(b, keys))
}

/** The part of `record` (from formToRecord) that differs from `base` (an API record). */
export function changedFields(record, base) {
  const b = base || {}
  const out = {}
  for (const k of RECORD_FIELDS) {
    if (k === 'legal_rep_id_number') {
      if (record[k]) out[k] = record[k]
      continue
    }
    if (k in record && !sameValue(k, record[k], b[k])) out[k] = record[k]
  }
  if (record.licences && !sameList(record.licences, b.licences, LICENCE_KEYS)) out.licences = record.licences
  if (record.relations && !sameList(record.relations, b.relations, RELATION_KEYS)) out.relations = record.relations
  return out
}

/** Client-side preview of a change, shaped like the server's changes: [{field, before, after}]. */
export function previewChanges(changes, base) {
  const b = base || {}
  const order = [...RECORD_FIELDS, 'licences', 'relations']
  return order
    .filter((k) => k in changes)
    .map((k) => ({ field: k, label: null, before: b[k] ?? null, after: changes[k] ?? null }))
}

/** Maps a server error field ("licences[2].expires_on", "capacity", "record") to a form key. */
export function errorKey(field) {
  if (!field) return ''
  return String(field).replace(/^record\./, '')
}

// ---------------------------------------------------------------- display

/**
 * A field value for display. `value` may be typed (records) or canonical text (diffs: "true", "100",
 * "elderly_institution"); licences/relations may be arrays (records) or the server's summary text (diffs).
 */
export function formatValue(field, value, { t, regionName, empty = '—' } = {}) {
  if (value === null || value === undefined || value === '') return empty
  if (field === 'inclusive') return value === true || value === 'true' ? t('common.yes') : value === false || value === 'false' ? t('common.no') : String(value)
  if (field in CHOICE_FIELDS) {
    const key = `registry.${CHOICE_FIELDS[field]}.${value}`
    return te(key) ? t(key) : String(value)
  }
  if (field === 'region_code' && regionName) {
    const name = regionName(value)
    return name && name !== value ? `${name}（${value}）` : String(value)
  }
  if (field === 'licences' && Array.isArray(value)) {
    if (!value.length) return empty
    return value.map((l) => `${t(`registry.licenceKind.${l.kind}`)} ${l.number}${l.expires_on ? ` (${t('registry.expiresOn')} ${l.expires_on})` : ''}`).join('；')
  }
  if (field === 'relations' && Array.isArray(value)) {
    if (!value.length) return empty
    return value.map((r) => `${t(`registry.relation.${r.relation}`)} ${r.party_name} ${r.valid_from || ''}~${r.valid_to || ''}`).join('；')
  }
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The field's label in the current language, sector-aware for capacity. */
export function fieldLabel(t, field, sector, serverLabel) {
  if (field === 'capacity' && (sector === 'elderly' || sector === 'childcare')) return t(`registry.field.capacity_${sector}`)
  if (field === 'general') return t('filings.general')
  const key = `registry.field.${field}`
  if (te(key)) return t(key)
  // "licences[2].expires_on" → 证照 #3 · 有效期至
  const m = /^(licences|relations)\[(\d+)\]\.(\w+)$/.exec(field)
  if (m) return `${t(`registry.field.${m[1]}`)} #${Number(m[2]) + 1} · ${t(`registry.${m[1] === 'licences' ? 'licence' : 'rel'}.${m[3]}`)}`
  return serverLabel || field
}

/** True when the message key exists (in the current language or the zh-CN fallback). */
export function hasMessage(key) {
  return te(key)
}

export function sectorOfKind(kind) {
  if (KINDS_BY_SECTOR.elderly.includes(kind)) return 'elderly'
  if (KINDS_BY_SECTOR.childcare.includes(kind)) return 'childcare'
  return ''
}

// ---------------------------------------------------------------- check digits

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function isValidCreditCode(value) {
  const s = String(value || '').trim().toUpperCase()
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(s)) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(s[i]) * CREDIT_WEIGHTS[i]
  const c = (31 - (sum % 31)) % 31
  return CREDIT_CHARS[c] === s[17]
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

export function isValidResidentId(value) {
  const s = String(value || '').trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(s)) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i]
  return ID_CHECK[sum % 11] === s[17]
}

// Element Plus tag types by state.
export const INSTITUTION_STATE_TAG = { unfiled: 'info', filed: 'success', cancelled: 'danger' }
export const FILING_STATE_TAG = { submitted: 'warning', returned: 'danger', accepted: 'success', withdrawn: 'info' }

/** The label of a code (`registry.kind`, 'elderly_institution') — '' for a missing code, the code itself when unknown. */
export function codeLabel(t, prefix, value) {
  if (value === null || value === undefined || value === '') return ''
  const key = `${prefix}.${value}`
  return te(key) ? t(key) : String(value)
}
