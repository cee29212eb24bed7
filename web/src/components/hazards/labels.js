// Display helpers of the hazard pages (风险隐患): labels of codes, tag colours, the deadline's wording, dates.
import { label } from '../draws/util.js'
import { parseTime } from '../../utils/format.js'
import { HAZARD_OPEN_STATES, HAZARD_STATES } from '../../constants.js'

export const hazardStateLabel = (s) => label('hazards.state', s)
/** A state, or a view across states (open 未完成, overdue 已逾期, escalated 已升级) of the list's filter. */
export const stateFilterLabel = (s) => (HAZARD_STATES.includes(s) ? hazardStateLabel(s) : label('hazards.stateFilter', s))
export const severityLabel = (s) => label('hazards.severity', s)
export const categoryLabel = (c) => label('hazards.category', c)
export const sourceLabel = (s) => label('hazards.source', s)
export const extensionLabel = (s) => label('hazards.extension', s)
export const eventLabel = (a) => label('hazards.event', a)
export const complaintStateLabel = (s) => label('hazards.complaintState', s)

const STATE_TAG = { reported: 'info', notified: 'warning', rectifying: 'primary', submitted: 'warning', verified: 'success' }
export const hazardStateTag = (s) => STATE_TAG[s] ?? 'info'
export const severityTag = (s) => (s === 'major' ? 'danger' : 'info')
const COMPLAINT_TAG = { received: 'warning', accepted: 'success', dismissed: 'info' }
export const complaintStateTag = (s) => COMPLAINT_TAG[s] ?? 'info'

export const isOpenState = (s) => HAZARD_OPEN_STATES.includes(s)

/** "YYYY-MM-DD" plus `days` days, as "YYYY-MM-DD" (calendar days, no time zone involved). */
export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(d.getTime())) return ''
  d.setUTCDate(d.getUTCDate() + Number(days || 0))
  return d.toISOString().slice(0, 10)
}

/** A date picker's Date (local midnight) as "YYYY-MM-DD". */
export const dayOf = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`

/**
 * An EXIF capture time ("YYYY-MM-DD HH:MM:SS", the camera's clock, read as Asia/Shanghai) earlier than the hazard's
 * registration (an ISO time): the photo may not show the rectification.
 */
export function takenBeforeReported(takenAt, reportedAt) {
  if (!takenAt || !reportedAt) return false
  const taken = parseTime(`${String(takenAt).replace(' ', 'T')}+08:00`)
  const reported = parseTime(reportedAt)
  return !!taken && !!reported && taken.getTime() < reported.getTime()
}

// Open hazards first, the one waiting on the institution (通知) before those in hand, then by the nearest deadline.
const STATE_ORDER = { notified: 0, reported: 1, rectifying: 2, submitted: 3, verified: 4 }
/** The hazards in the order an institution works them (我的隐患). */
export function byStateAndDeadline(rows) {
  return [...rows].sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || String(a.deadline).localeCompare(String(b.deadline)))
}

/** The catalogue entries grouped by category, in the catalogue's category order: [{ category, items }]. */
export function groupByCategory(entries, categories) {
  return categories
    .map((category) => ({ category, items: entries.filter((e) => e.category === category) }))
    .filter((g) => g.items.length)
}

/** The on-time rate over the months given (closed on time / closed), or null when nothing was closed. */
export function overallOnTimeRate(months) {
  const closed = (months || []).reduce((n, m) => n + (Number(m.closed) || 0), 0)
  const onTime = (months || []).reduce((n, m) => n + (Number(m.on_time) || 0), 0)
  return closed ? onTime / closed : null
}

/** A rate 0..1 as "87.5%"; '—' for null. */
export const percentText = (rate) => (rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`)
