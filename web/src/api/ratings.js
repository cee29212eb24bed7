// Graded ratings (等级评定): the schemes (评定标准, public), a rating's process (申请/自评 → 组建评审组 → 专家评分 →
// 结果草案与异议 → 审定公布), its explanation and what-if, the level distribution, and the public portal's board.
import { http, request } from './http.js'

const id = (v) => encodeURIComponent(v)
// As in publicDraws.js and hazards.js: a 401 or 403 of a public page never leads a visitor to the login page.
const PUBLIC = { auth: false, silent: true }

// ---------------------------------------------------------------- schemes (public)
/** { items: [{ id, code, version, sector, standard, title, levels, parts (no tree), item_count, veto_count, … }] } */
export const listRatingSchemes = () => http.get('/rating-schemes', PUBLIC)
/** One scheme with its parts as trees (part → items → sub-items; a node without children is scored) and its vetoes. */
export const getRatingScheme = (schemeId) => http.get(`/rating-schemes/${id(schemeId)}`, PUBLIC)

// ---------------------------------------------------------------- ratings
/** Institution: {} applies for itself; officer: { institution_id }. 201 with the rating. */
export const openRating = (body) => http.post('/ratings', body)
/** { items, total, near_expiry_days }; query: state, region, institution_id, expiring_within_days, review, page, page_size. */
export const listRatings = (query) => http.get('/ratings', { query })
/** { items: [{ region_code, region_name, scheme_code, level, count }] } of the published ratings (level in force). */
export const getRatingStats = () => http.get('/ratings/stats')
/** The rating with its panel, sheets the user may see, challenges and events. */
export const getRating = (ratingId) => http.get(`/ratings/${id(ratingId)}`)

/** Institution (self_assessment): { lines: [{ code, points | passed, note? }], submit }. */
export const saveSelfAssessment = (ratingId, body) => request('PUT', `/ratings/${id(ratingId)}/self-assessment`, { body })
/** Evaluator on the panel (scoring): the same body as the self-assessment. */
export const saveScores = (ratingId, body) => request('PUT', `/ratings/${id(ratingId)}/scores`, { body })

/** Officer: { items: [{ inspector_id, code, name, member_kind, expertise, region_code, has_account, conflict }], min_panel }. */
export const getPanelCandidates = (ratingId) => http.get(`/ratings/${id(ratingId)}/panel-candidates`)
/** Officer (panel): { inspector_ids } or { draw: n }. */
export const assignPanel = (ratingId, body) => http.post(`/ratings/${id(ratingId)}/panel`, body)

/**
 * A step that answers the rating's detail. `action` and its body:
 *   challenges  { item_code, claim, evidence }      institution, draft, window open
 *   confirm     {}                                  institution, draft: waives the rest of the window
 *   approve     { note? }                           officer, not on the panel
 *   withdraw    { reason }                          institution or officer, before publication
 *   level       { action: downgrade | keep, level?, reason }   officer, published
 */
export const ratingAction = (ratingId, action, body) => http.post(`/ratings/${id(ratingId)}/${action}`, body ?? {})
/** Evaluator: { decision: upheld | dismissed, answer, points? | passed? }. */
export const answerChallenge = (ratingId, challengeId, body) =>
  http.post(`/ratings/${id(ratingId)}/challenges/${id(challengeId)}/answer`, body)

/** From the draft on: the level and the reasons for it (parts against floors, decisive rule, next level's needs, items). */
export const explainRating = (ratingId) => http.get(`/ratings/${id(ratingId)}/explain`)
/** The explanation recomputed with { points: { code: n }, vetoes: { code: bool } } in place of the final scores. */
export const whatIfRating = (ratingId, body, { signal } = {}) => http.post(`/ratings/${id(ratingId)}/what-if`, body, { signal })

// ---------------------------------------------------------------- public portal (no login)
/** { items: [{ institution_id, institution_name, region_name, level, level_name, published_at, age_days, … }], total }. */
export const listPublicRatings = (query) => http.get('/public/ratings', { ...PUBLIC, query })
/** The rating in force of an institution with the explanation summary; 404 when none. */
export const getPublicRating = (institutionId) => http.get(`/public/institutions/${id(institutionId)}/rating`, PUBLIC)
