// Display helpers of the public draw pages: states, strata keys, ratios.
import { codeLabel } from '../utils/registry.js'

export const TASK_STATES = ['draft', 'locked', 'drawn', 'in_progress', 'closed']

const STATE_TAG = { draft: 'info', locked: 'warning', drawn: 'primary', in_progress: 'success', closed: '' }

/** The el-tag type of a task state. */
export function stateTagType(state) {
  return STATE_TAG[state] ?? 'info'
}

/** A task state as text: the translation, or the raw value when unknown. */
export function stateLabel(t, te, state) {
  if (!state) return '—'
  const key = `publicDraws.state.${state}`
  return te(key) ? t(key) : String(state)
}

/** "region,kind,grade" → ['region', 'kind', 'grade']. */
export function strataDimensions(strataBy) {
  if (Array.isArray(strataBy)) return strataBy.map(String)
  return String(strataBy || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

export function dimensionLabel(t, te, dim) {
  const key = `publicDraws.dimension.${dim}`
  return te(key) ? t(key) : dim
}

/** A grade letter as text ("C 级（较高风险）"), the letter itself when unknown. */
export function gradeLabel(t, te, grade) {
  const key = `publicDraws.grade.${grade}`
  return te(key) ? t(key) : String(grade)
}

/**
 * A stratum key ("360402|elderly_institution|C") read with the task's dimensions: the parts whose meaning is
 * known are translated (kind, grade); the key itself stays the reference (it is what the pool file holds).
 */
export function stratumParts(t, te, key, dimensions) {
  const parts = String(key || '').split('|')
  return parts.map((value, i) => {
    const dim = dimensions[i] || ''
    let label = value
    if (dim === 'kind') label = codeLabel(t, 'registry.kind', value) || value
    else if (dim === 'grade') label = gradeLabel(t, te, value)
    return { dim, value, label }
  })
}

/** {"A":"1%","D":"30%"} → [{ grade: 'A', ratio: '1%' }, …] by grade. */
export function ratioList(ratios) {
  if (!ratios || typeof ratios !== 'object') return []
  return Object.keys(ratios)
    .sort()
    .map((grade) => ({ grade, ratio: String(ratios[grade]) }))
}
