// Display helpers of the rating pages (等级评定): the process's states and steps, labels and tag colours, a rating's
// age ("评定于 2025-09-28 · 1 年 2 个月前"), the scheme's scored items, and the decisive rule of a level in words.
// Keep the constants in step with modules/ratings/include/cw/ratings/model.hpp and config/carewatch.properties.
import { currentLocale, t } from '../../i18n/index.js'
import { label, todayInChina } from '../draws/util.js'

export const RATING_STATES = ['self_assessment', 'panel', 'scoring', 'draft', 'published', 'superseded', 'withdrawn']
/** The steps of the step bar: 申请/自评 → 组建评审组 → 专家评分 → 结果草案与异议 → 审定公布. */
export const RATING_STEPS = ['self_assessment', 'panel', 'scoring', 'draft', 'published']
export const RATING_IN_PROGRESS = ['self_assessment', 'panel', 'scoring', 'draft']
// Who sees ratings; who runs them (officers of the department, administrators); who sees the distribution.
export const RATING_ROLES = ['admin', 'officer', 'inspector', 'institution', 'bureau']
export const RATING_STAFF_ROLES = ['admin', 'officer']
export const RATING_STATS_ROLES = ['admin', 'officer', 'bureau']
export const NEAR_EXPIRY_DAYS = 90 // ratings.near_expiry_days, until a list answer says otherwise
// A challenge (异议): the claim and the description of the evidence, in characters (as the server checks them).
export const CLAIM_LIMITS = [5, 2000]
export const EVIDENCE_LIMITS = [2, 1000]
export const NOTE_MAX = 1000
/**
 * The districts of Jiujiang (GB/T 2260), for the public board's region filter: the region list of the console
 * (GET /regions) needs a sign-in and the public answers carry region names only.
 */
export const PUBLIC_REGIONS = [
  ['360402', '濂溪区'], ['360403', '浔阳区'], ['360404', '柴桑区'], ['360423', '武宁县'], ['360424', '修水县'],
  ['360425', '永修县'], ['360426', '德安县'], ['360428', '都昌县'], ['360429', '湖口县'], ['360430', '彭泽县'],
  ['360481', '瑞昌市'], ['360482', '共青城市'], ['360483', '庐山市']
].map(([code, name]) => ({ code, name }))

export const ratingStateLabel = (s) => label('ratings.state', s)
export const ratingEventLabel = (a) => label('ratings.event', a)
export const conflictLabel = (c) => label('ratings.panel.conflict', c)
export const decisionLabel = (d) => label('ratings.challenge.decision', d)

const STATE_TAG = { self_assessment: 'info', panel: 'warning', scoring: 'warning', draft: 'primary', published: 'success', superseded: 'info', withdrawn: 'info' }
export const ratingStateTag = (s) => STATE_TAG[s] ?? 'info'
// Level colours, from the lowest level (red/orange) to the highest (green), for both schemes.
const LEVEL_TAG = { L1: 'warning', L2: 'warning', L3: 'primary', L4: 'success', L5: 'success', D: 'danger', C: 'warning', B: 'primary', A: 'success' }
export const levelTag = (code) => (code ? LEVEL_TAG[code] || 'primary' : 'info')

/** A level's name in the current language from the scheme's levels; the code when unknown. */
export function levelName(levels, code) {
  const l = (levels || []).find((x) => x.code === code)
  if (!l) return code || ''
  return currentLocale() === 'en' && l.name_en ? l.name_en : l.name
}

// ---------------------------------------------------------------- numbers
/** points / max as a percentage with one decimal (78.3). */
export const percentOf = (points, max) => (Number(max) > 0 ? Math.round((Number(points) / Number(max)) * 1000) / 10 : 0)
/** The floor of a part for a level in points: the smallest tenth at least `percent` of `max` (as the engine). */
export const partFloor = (max, percent) => Math.ceil((Number(max) * Number(percent)) / 10) / 10
/** Points with at most one decimal, as text. */
export const pointsText = (v) => (v === null || v === undefined || v === '' ? '—' : String(Math.round(Number(v) * 10) / 10))

// ---------------------------------------------------------------- dates and ages
/** The Asia/Shanghai calendar day of an ISO time ("2025-09-28"); '' when there is none. */
export function dayOf(iso) {
  if (!iso) return ''
  const d = new Date(String(iso).replace(/(\.\d{3})\d+/, '$1'))
  return Number.isNaN(d.getTime()) ? '' : todayInChina(d)
}

/** How long ago a day was, in words: 今天, 12 天前, 3 个月前, 1 年 2 个月前. */
export function ageText(day, today = todayInChina()) {
  if (!day) return ''
  const [py, pm, pd] = day.split('-').map(Number)
  const [ty, tm, td] = today.split('-').map(Number)
  const months = (ty - py) * 12 + (tm - pm) - (td < pd ? 1 : 0)
  if (months >= 12) {
    const years = Math.floor(months / 12)
    return months % 12 ? t('ratings.age.yearsMonths', { y: years, m: months % 12 }) : t('ratings.age.years', { y: years }, years)
  }
  if (months >= 1) return t('ratings.age.months', { m: months }, months)
  const days = Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(py, pm - 1, pd)) / 86_400_000)
  return days <= 0 ? t('ratings.age.today') : t('ratings.age.days', { d: days }, days)
}

// ---------------------------------------------------------------- the scheme
/**
 * The scored items of a scheme (GET /rating-schemes/{id}) in order: [{ code, name, max_points, guidance, evidence,
 * part, item }] where `part` is the part's code and `item` the item a sub-item belongs to (null for an item scored
 * itself).
 */
export function schemeLeaves(scheme) {
  const out = []
  for (const part of scheme?.parts || []) {
    for (const item of part.children || []) {
      if (item.children && item.children.length) {
        for (const sub of item.children) out.push({ ...sub, part: part.code, item })
      } else {
        out.push({ ...item, part: part.code, item: null })
      }
    }
  }
  return out
}

// ---------------------------------------------------------------- the reasons for a level
const quoted = (name) => t('ratings.explain.quoted', { name })
const vetoText = (v) => `${v.code} ${v.name}`

/**
 * The decisive rule of an explanation in words, e.g. "总分 851 已达四级要求（不低于 780 分），但「服务」仅 78.3%，低于四级
 * 要求的 80%，评为三级" or "基本项 V05 室内环境检测合格 未通过，等级为 D 级".
 */
export function decisiveRule(x) {
  if (!x) return ''
  const levels = x.levels || []
  const level = levels.find((l) => l.code === x.level)
  const next = levels.find((l) => l.code === x.next_level)
  const levelN = level ? levelName(levels, level.code) : ''
  const result = levelN ? t('ratings.explain.result', { level: levelN }) : t('ratings.explain.noLevel')
  const total = pointsText(x.total)
  if (x.decided_by === 'veto') {
    return t('ratings.explain.rule.veto', { items: (x.failed_vetoes || []).map(vetoText).join('、'), result })
  }
  if (x.decided_by === 'top') return t('ratings.explain.rule.top', { total, level: levelN })
  if (!next) return result
  const nextN = levelName(levels, next.code)
  if (x.decided_by === 'part_floor') {
    const short = (x.next_needs || []).filter((n) => n.kind === 'part')
    const parts = short
      .map((n) => {
        const part = (x.parts || []).find((p) => p.code === n.code)
        return t('ratings.explain.partShort', { name: quoted(n.name || n.code), pct: part ? percentOf(part.points, part.max_points) : '—' })
      })
      .join('、')
    return t('ratings.explain.rule.partFloor', { total, next: nextN, min: next.min_total, parts, pct: next.min_part_percent, result })
  }
  if (level) return t('ratings.explain.rule.total', { total, level: levelN, min: level.min_total, next: nextN, need: next.min_total })
  return t('ratings.explain.rule.totalNone', { total, next: nextN, need: next.min_total, result })
}

/** One thing the next level needs, in words. */
export function needText(n, x) {
  if (n.kind === 'veto') return t('ratings.explain.need.veto', { item: vetoText({ code: n.code, name: n.name || '' }) })
  if (n.kind === 'total') return t('ratings.explain.need.total', { need: pointsText(n.need), have: pointsText(n.have), missing: pointsText(n.missing) })
  const next = (x?.levels || []).find((l) => l.code === x.next_level)
  return t('ratings.explain.need.part', {
    name: quoted(n.name || n.code),
    need: pointsText(n.need),
    pct: next ? next.min_part_percent : '—',
    have: pointsText(n.have),
    missing: pointsText(n.missing)
  })
}
