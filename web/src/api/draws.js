// "Double random, one public" (双随机、一公开) endpoints of the console: the item list (抽查事项清单), the inspector
// directory (执法检查人员名录库) with conflict declarations (回避申报), annual plans and tasks (lock, draw, swap, start),
// inspection results (录入、提交、审核公示) and coverage. The public record of a draw is in publicDraws.js.
import { http, request, download } from './http.js'

const id = (v) => encodeURIComponent(v)
const put = (path, body) => request('PUT', path, { body: body ?? {} })

// ---------------------------------------------------------------- item list and inspector directory
/** { items } of inspection items; `all`: the inactive ones too. */
export const listInspectionItems = ({ all = false } = {}) => http.get('/inspection-items', { query: all ? { all: 'true' } : undefined })
export const createInspectionItem = (item) => http.post('/inspection-items', item)

/** { items, total, page, page_size }; query: department, status, page, page_size. */
export const listInspectors = (query) => http.get('/inspectors', { query })
/** The signed-in inspector's own directory record (404 when the account has none). */
export const getMyInspector = () => http.get('/inspectors/me', { silent: true })
export const createInspector = (body) => http.post('/inspectors', body)
export const setInspectorStatus = (inspectorId, status) => http.post(`/inspectors/${id(inspectorId)}/status`, { status })
export const listConflicts = (inspectorId) => http.get(`/inspectors/${id(inspectorId)}/conflicts`)
/** body: { credit_code, reason, valid_from, valid_to? } */
export const declareConflict = (inspectorId, body) => http.post(`/inspectors/${id(inspectorId)}/conflicts`, body)

/** Officers: { items: [{ code, name, list_kind, members }] } of the special lists (重点监管、投诉举报) a task can use. */
export const listSpecialLists = () => http.get('/special-lists')

// ---------------------------------------------------------------- plans and tasks
export const listPlans = () => http.get('/inspection-plans')
/** Officer: { year, title }; the plan belongs to the officer's department. */
export const createPlan = (body) => http.post('/inspection-plans', body)

/** { items, total, page, page_size }; query: state, year, page, page_size. */
export const listTasks = (query) => http.get('/inspection-tasks', { query })
export const getTask = (taskId) => http.get(`/inspection-tasks/${id(taskId)}`)
export const createTask = (body) => http.post('/inspection-tasks', body)
/** Only a draft can be changed; the plan stays. */
export const updateTask = (taskId, body) => put(`/inspection-tasks/${id(taskId)}`, body)
/** Freezes the pool, inspectors and exclusions and publishes the commitment. */
export const lockTask = (taskId) => http.post(`/inspection-tasks/${id(taskId)}/lock`, {})
/** Runs the draw; `beaconValue` is required exactly when the task named a beacon source. */
export const drawTask = (taskId, beaconValue) =>
  http.post(`/inspection-tasks/${id(taskId)}/draw`, beaconValue ? { beacon_value: beaconValue } : {})
export const startTask = (taskId) => http.post(`/inspection-tasks/${id(taskId)}/start`, {})
/** body: { credit_code, removed_inspector, added_inspector, reason } (inspector codes such as I000001). */
export const swapInspector = (taskId, body) => http.post(`/inspection-tasks/${id(taskId)}/swaps`, body)
/** { items } in draw order: position, institution_id, credit_code, name, kind, region_name, stratum, inspectors. */
export const listDrawn = (taskId) => http.get(`/inspection-tasks/${id(taskId)}/drawn`)

/** The drawn list inspectors carry (抽查名单), as an XLSX file saved in the browser's downloads. */
export const downloadTaskList = (taskId) => download(`/inspection-tasks/${id(taskId)}/list.xlsx`, { fallbackName: `抽查名单-${taskId}.xlsx` })

// ---------------------------------------------------------------- results
/** Inspector: { items } of the results of the entities they are on. */
export const listMyResults = () => http.get('/inspection-results/mine')
/** { items, total, page, page_size }; query: task_id, state, credit_code, page, page_size. */
export const listResults = (query) => http.get('/inspection-results', { query })
export const getResult = (resultId) => http.get(`/inspection-results/${id(resultId)}`)
/**
 * Inspector: { result_code, problem_reasons, inspected_on, findings, followup, followup_description,
 * items: [{ item_code, result_code, check_method, note }] }.
 */
export const saveResult = (resultId, body) => put(`/inspection-results/${id(resultId)}`, body)
export const submitResult = (resultId) => http.post(`/inspection-results/${id(resultId)}/submit`, {})
/** Inspector: the own schedule (我的检查安排) as an XLSX file. */
export const downloadMySchedule = () => download('/inspection-results/mine/schedule.xlsx', { fallbackName: '我的检查安排.xlsx' })

// Evidence of a result (检查证据): PDF, PNG, JPEG or WebP, checked by content on the server.
export const listEvidence = (resultId) => http.get(`/inspection-results/${id(resultId)}/evidence`)
/** Inspector, before submission or after a return: 201 with { sha256, name, media_type, size_bytes, uploaded_at }. */
export const uploadEvidence = (resultId, file) =>
  http.upload(`/inspection-results/${id(resultId)}/evidence`, file, file.type || 'application/octet-stream', { query: { name: file.name } })
/** Saves a piece of evidence under its own name (the server names every download "evidence"). */
export const downloadEvidence = (resultId, e) => download(`/inspection-results/${id(resultId)}/evidence/${id(e.sha256)}`, { filename: e.name })

/** Officer: decision publish | return | reject; a comment is required to return or reject. */
export const reviewResult = (resultId, decision, comment) =>
  http.post(`/inspection-results/${id(resultId)}/review`, comment ? { decision, comment } : { decision })

/** { items: [{ region_code, region_name, kind, institutions, not_inspected }] }; query: region, kind. */
export const getCoverage = (query) => http.get('/inspections/coverage', { query })
