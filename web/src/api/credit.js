// Credit (信用): the bureau's query (entity, explanation, report), the check API (信用核查), records, the three lists
// (失信联合惩戒对象名单, 重点关注名单, 守信激励名单) with notice, objection, decision and removal, the memoranda (联合奖惩备忘录),
// the implementing departments' feedback tasks, credit repair (信用修复), the graph, and the public portal's lists and
// report verification. Every view of an entity is logged by the server.
import { download, http, request } from './http.js'

const id = (v) => encodeURIComponent(v)
// As in ratings.js: a 401 or 403 of a public page never leads a visitor to the login page.
const PUBLIC = { auth: false, silent: true }

/** { record_kinds, blacklist_grounds, lists, scorecard: { id, version, title, base, bands, items } }. */
export const getCreditMeta = () => http.get('/credit/meta')

// ---------------------------------------------------------------- query (staff: admin, officer, bureau)
/** { items: [{ code, name, kind, grade, score, lists: ["MZ:blacklist"] }] } for q (2+ characters of a name or a code). */
export const searchCredit = (q) => http.get('/credit/search', { query: { q } })
/**
 * An entity: { code, name, kind, institution_id, score, records (in their windows), lists (open entries), measures
 * (with path and basis), related, grade_history, activity }. `explain` adds score.lines, item by item.
 */
export const getCreditEntity = (code, { explain = true } = {}) => http.get(`/credit/entities/${id(code)}${explain ? '/explain' : ''}`)

/**
 * GETs the entity's credit report (PDF) and saves it in the browser's downloads; resolves to { number, sha256, size,
 * filename } with the number and SHA-256 from the X-Report-Number and X-Report-SHA256 headers.
 */
export async function downloadCreditReport(code) {
  const { filename, size, headers } = await download(`/credit/entities/${id(code)}/report.pdf`, { fallbackName: `credit-report-${code}.pdf` })
  return { number: headers.get('X-Report-Number') || '', sha256: (headers.get('X-Report-SHA256') || '').toLowerCase(), size, filename }
}

/** { entity, known, name, action, decision: allowed | restricted | rewarded, measures (with path) }. */
export const checkCredit = (entity, action) => http.get('/credit/check', { query: { entity, action } })
/** { nodes: [{ id, kind, key, label }], edges: [{ from, to, kind }], truncated }. */
export const getCreditGraph = (entity, depth = 2) => http.get('/credit/graph', { query: { entity, depth } })

// ---------------------------------------------------------------- records
/** { items, total }; query: entity, department, kind, state, in_window, page, page_size. */
export const listCreditRecords = (query) => http.get('/credit/records', { query })
/** Officer: { entity, kind: penalty | commendation, severity, legal_basis, document_no, facts, decided_on, title?, entity_name?, publish_months?, severe_penalty? }. */
export const addCreditRecord = (body) => http.post('/credit/records', body)
/** Officer: the court's judgment-defaulter list as CSV (code,name,document_no,court,decided_on,facts); { added }. */
export const importCourtList = (csv) => request('POST', '/credit/records/import', { raw: csv, contentType: 'text/csv' })

// ---------------------------------------------------------------- lists
/** { items, total }; query: state, department, entity, q, page, page_size. */
export const listCreditEntries = (list, query) => http.get(`/credit/lists/${id(list)}/entries`, { query })
export const getCreditEntry = (list, entryId) => http.get(`/credit/lists/${id(list)}/entries/${id(entryId)}`)
/** Officer: { entity, ground, facts, basis?, record_id? }. */
export const proposeCreditEntry = (list, body) => http.post(`/credit/lists/${id(list)}/entries`, body)
/**
 * A step on an entry; `action` and its body:
 *   objection  { objection }                                  the institution, while the notice is open
 *   decide     { decision: list | dismiss, reason }           an officer of the department, not the proposer
 *   remove     { reason: two_years_clean | obligations_met, note }   an officer of the department
 */
export const creditEntryAction = (list, entryId, action, body) => http.post(`/credit/lists/${id(list)}/entries/${id(entryId)}/${action}`, body)

// ---------------------------------------------------------------- memoranda and feedback
export const listMemoranda = () => http.get('/credit/memoranda')
/** { number, title, initiator, basis, signed_on, lists: ["MZ:blacklist"], measures: [{ code, name, action, effect, department, basis, subject }] }. */
export const addMemorandum = (body) => http.post('/credit/memoranda', body)
/** { items, total }; query: department, entry, state, overdue ('true'), page, page_size. */
export const listFeedbackTasks = (query) => http.get('/credit/feedback', { query })
/** { action: accept | not_applicable | feedback, reason? | feedback? }. */
export const respondFeedbackTask = (taskId, body) => http.post(`/credit/feedback/${id(taskId)}`, body)

// ---------------------------------------------------------------- repair
/** { items }; query: state. */
export const listRepairs = (query) => http.get('/credit/repairs', { query })
/** Institution: { record_id, rectification, pledge, evidence? }. */
export const applyRepair = (body) => http.post('/credit/repairs', body)
/** Officer of the record's department: { decision: approve | reject, reason }. */
export const decideRepair = (repairId, body) => http.post(`/credit/repairs/${id(repairId)}/decide`, body)

// ---------------------------------------------------------------- public portal (no login)
/** { items: [{ id, list, entity_name, entity_code, department_name, ground_name, basis, listed_on, ends_on }], total }. */
export const listPublicCredit = (list, query) => http.get(`/public/credit/lists/${id(list)}`, { ...PUBLIC, query })
/** { number, entity_name, entity_code, grade, score, sha256, size_bytes, generated_at }; 404 when unknown. */
export const getPublicCreditReport = (number) => http.get(`/public/credit/reports/${id(number)}`, PUBLIC)
