// Hazards (风险隐患) and their rectification loop (整改闭环: 登记 → 通知 → 整改 → 提交 → 复核销号), the catalogue
// (隐患目录), complaints (投诉举报) handled by officers, and the public portal's complaint form and hazard board.
import { http, uploadForm } from './http.js'

const id = (v) => encodeURIComponent(v)

// ---------------------------------------------------------------- catalogue, list, report, stats
/** { version, items: [{ code, category, name, name_en, applies_to, severity, rectification_days, legal_basis, … }] } */
export const getCatalogue = () => http.get('/hazard-catalogue')

/** { items, total, total_capped, page, page_size }; query: state, severity, category, region, source, institution_id, q. */
export const listHazards = (query) => http.get('/hazards', { query })

/**
 * Officer or inspector (from an inspection) or institution (its own self-check): { institution_id, catalogue_code,
 * title, description, location?, severity?, deadline?, deadline_reason? }; 201 with the hazard.
 */
export const reportHazard = (body) => http.post('/hazards', body)

/** { open, overdue, major_open, escalated, open_by_category, open_by_region, by_state, months }; query: region. */
export const getHazardStats = (query) => http.get('/hazards/stats', { query })

/** The hazard with its events (history), evidence and, for staff, the tracking code of the complaint it came from. */
export const getHazard = (hazardId) => http.get(`/hazards/${id(hazardId)}`)

/**
 * One step of the loop; answers the hazard. `action` and its body:
 *   acknowledge {}                           institution: notified → rectifying
 *   extend      { days, reason }             institution asks once; { decision: grant | refuse, note } officer decides
 *   deadline    { deadline, reason }         officer
 *   submit      { note }                     institution: the measures taken (needs evidence of this round)
 *   verify      { note? }                    staff other than the reporter (four-eyes)
 *   reject      { reasons }                  staff other than the reporter: back to rectifying, next round
 *   reopen      { reason, days? }            officer: a verified hazard back to rectifying
 */
export const hazardAction = (hazardId, action, body) => http.post(`/hazards/${id(hazardId)}/${action}`, body ?? {})

/**
 * Institution: adds one evidence file (JPEG, PNG, PDF or MP4, checked by content) as the multipart part "file";
 * `onProgress(fraction)` follows the upload. Resolves to the evidence, with duplicate: true when this round already
 * had the same content.
 */
export function uploadHazardEvidence(hazardId, file, { onProgress, signal } = {}) {
  const form = new FormData()
  form.append('file', file, file.name)
  return uploadForm(`/hazards/${id(hazardId)}/evidence`, form, { onProgress, signal })
}

/** The URL that saves an evidence file instead of showing it (images and PDF are shown inline otherwise). */
export const evidenceDownloadUrl = (evidence) => `${evidence.url}?download=1`

// ---------------------------------------------------------------- complaints (officers)
/** { items, total }; query: state (received | accepted | dismissed), page, page_size. */
export const listComplaints = (query) => http.get('/complaints', { query })

/** { decision: accept | dismiss, reply, hazard?: { catalogue_code, title, description, … } (to accept) }. */
export const handleComplaint = (complaintId, body) => http.post(`/complaints/${id(complaintId)}/handle`, body)

// ---------------------------------------------------------------- public portal (no login)
// As in publicDraws.js: a 401 or 403 never leads a visitor to the login page; the pages report errors themselves.
const PUBLIC = { auth: false, silent: true }

/** { institution_id, category, description, contact? }; 201 with { tracking_code, institution_name, state, created_at }. */
export const fileComplaint = (body) => http.post('/public/complaints', body, PUBLIC)
/** The status of a complaint by its tracking code: no personal data. */
export const trackComplaint = (code) => http.get(`/public/complaints/${id(code)}`, PUBLIC)
/** { items: [{ id, name }] } of institutions whose name contains `q` (at least 2 characters). */
export const findPublicInstitutions = (q) => http.get('/public/institutions', { ...PUBLIC, query: { q } })
/** The city's hazard statistics (open_by_region is empty). */
export const getPublicHazardStats = () => http.get('/public/hazards/stats', PUBLIC)
/** { items } of the overdue major hazards the rules publish; query: page, page_size. */
export const listPublicHazards = (query) => http.get('/public/hazards', { ...PUBLIC, query })
