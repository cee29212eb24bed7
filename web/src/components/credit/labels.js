// Display helpers of the credit pages (信用): the codes of lists, entry states, check actions, tasks and repairs with
// their labels and tag colours; who sees which page; a measure's path as labelled steps. Keep the constants in step
// with modules/credit/include/cw/credit/model.hpp and service.hpp.
import { label } from '../draws/util.js'
import { currentLocale, t } from '../../i18n/index.js'

export const CREDIT_LISTS = ['blacklist', 'watchlist', 'redlist']
export const PUBLIC_CREDIT_LISTS = ['blacklist', 'redlist']
export const ENTRY_STATES = ['proposed', 'listed', 'dismissed', 'removed', 'expired']
export const RECORD_STATES = ['active', 'expired', 'repaired', 'revoked']
export const SEVERITIES = ['minor', 'general', 'serious']
/** Kinds an officer enters (POST /credit/records); the others come from events and the court list. */
export const ENTERED_KINDS = ['penalty', 'commendation']
/** The publication period a department may set, in months, by severity (信用修复管理办法). */
export const PUBLISH_MONTHS = { minor: [0, 3], general: [3, 12], serious: [12, 36] }
export const CHECK_ACTIONS = ['subsidy', 'procurement', 'government_investment', 'inspection_ratio', 'designated_provider', 'legal_representative', 'approval', 'operator_contract']
export const MEASURE_EFFECTS = ['restrict', 'reward']
export const MEASURE_SUBJECTS = ['entity', 'legal_representative', 'operator', 'parent', 'branch']
export const TASK_STATES = ['pending', 'accepted', 'not_applicable', 'done']
export const REPAIR_STATES = ['submitted', 'approved', 'rejected']
export const REMOVAL_REASONS = ['two_years_clean', 'obligations_met']
export const GRAPH_KINDS = ['entity', 'person', 'list', 'memorandum', 'measure', 'department']
// The text limits the server checks (characters).
export const LIMITS = { objection: [10, 4000], reason: [2, 2000], facts: [5, 4000], rectification: [10, 4000], pledge: [10, 2000], evidence: [2, 4000], note: [5, 2000], feedback: [5, 4000], notApplicable: [5, 2000] }

// Who sees what (the server checks again): the query, the check, the records, the graph and the feedback tasks are the
// staff's (administrators, officers, the bureau); the lists and memoranda inspectors see too; an institution sees its
// own credit page and its repair applications.
export const CREDIT_STAFF_ROLES = ['admin', 'officer', 'bureau']
export const CREDIT_LIST_ROLES = ['admin', 'officer', 'bureau', 'inspector']
export const CREDIT_REPAIR_ROLES = ['admin', 'officer', 'bureau', 'institution']

export const listLabel = (l) => label('credit.list', l)
export const entryStateLabel = (s) => label('credit.entryState', s)
export const recordStateLabel = (s) => label('credit.recordState', s)
export const severityLabel = (s) => label('credit.severity', s)
export const actionLabel = (a) => label('credit.action', a)
export const decisionLabel = (d) => label('credit.decision', d)
export const effectLabel = (e) => label('credit.effect', e)
export const subjectLabel = (s) => label('credit.subject', s)
export const taskStateLabel = (s) => label('credit.taskState', s)
export const taskKindLabel = (k) => label('credit.taskKind', k)
export const repairStateLabel = (s) => label('credit.repairState', s)
export const removalReasonLabel = (r) => label('credit.removalReason', r)
export const activityLabel = (k) => label('credit.activity', k)
export const graphKindLabel = (k) => label('credit.graph.kind', k)
/** An entry's ground: the blacklist's grounds are named by the server; the watch and red lists' codes here. */
export const groundLabel = (entry) => (entry.ground_name && entry.ground_name !== entry.ground ? entry.ground_name : label('credit.ground', entry.ground))

const GRADE_TAG = { A: 'success', B: 'primary', C: 'warning', D: 'danger' }
/** A grade's colour: A green … D red (A+ and A- as A). */
export const gradeTag = (g) => (g ? GRADE_TAG[String(g)[0]] || 'info' : 'info')
const LIST_TAG = { blacklist: 'danger', watchlist: 'warning', redlist: 'success' }
export const listTag = (l) => LIST_TAG[l] ?? 'info'
const ENTRY_STATE_TAG = { proposed: 'warning', listed: 'danger', dismissed: 'info', removed: 'success', expired: 'info' }
export const entryStateTag = (s) => ENTRY_STATE_TAG[s] ?? 'info'
const DECISION_TAG = { allowed: 'primary', restricted: 'danger', rewarded: 'success' }
export const decisionTag = (d) => DECISION_TAG[d] ?? 'info'
const TASK_STATE_TAG = { pending: 'warning', accepted: 'primary', not_applicable: 'info', done: 'success' }
export const taskStateTag = (s) => TASK_STATE_TAG[s] ?? 'info'
const REPAIR_STATE_TAG = { submitted: 'warning', approved: 'success', rejected: 'danger' }
export const repairStateTag = (s) => REPAIR_STATE_TAG[s] ?? 'info'
export const effectTag = (e) => (e === 'reward' ? 'success' : 'danger')
const SEVERITY_TAG = { minor: 'info', general: 'warning', serious: 'danger' }
export const severityTag = (s) => SEVERITY_TAG[s] ?? 'info'

/** Graph node colours by kind (the legend's too). */
export const GRAPH_COLORS = { entity: '#409eff', person: '#a0cfff', list: '#f56c6c', memorandum: '#e6a23c', measure: '#67c23a', department: '#909399' }

/** A department's name from the department list (useReference), in the current language; the code when unknown. */
export function departmentName(departments, code) {
  const d = (departments || []).find((x) => x.code === code)
  if (!d) return code || ''
  return currentLocale() === 'en' && d.name_en ? d.name_en : d.name
}

/** "民政 · 失信联合惩戒对象名单" for the list key "MZ:blacklist". */
export function listKeyLabel(key, departments) {
  const [dept, kind] = String(key || '').split(':')
  if (!kind) return key || ''
  return `${departmentName(departments, dept)} · ${listLabel(kind)}`
}

/** The label of a step of a measure's path: a list by its department and name, the rest as the server names them. */
export function stepLabel(step, departments) {
  if (step.kind === 'list') return listKeyLabel(step.key, departments)
  if (step.kind === 'department' && currentLocale() === 'en') return departmentName(departments, step.key)
  return step.label
}

/** Days and ages as the rating pages show them ("2026-11-23", "3 个月前"). */
export { dayOf, ageText } from '../ratings/labels.js'

/** The list kind a memorandum binds ("MZ:blacklist" → "blacklist"). */
export const listKindOf = (key) => String(key || '').split(':')[1] || ''

/** A record's publication window as text: "2026-11-23 至 2029-11-23". */
export const windowText = (from, until) => t('credit.record.windowText', { from: from || '…', until: until || '…' })
