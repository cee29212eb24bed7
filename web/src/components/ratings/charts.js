// The ECharts options of the rating pages, drawn by RatingChart.vue: the parts as percentages against the floor rings
// of the level reached and the next (radar), and the published levels per district (stacked bars).
import { barChartFrame } from '../../composables/useChart.js'
import { levelName, percentOf } from './labels.js'

/**
 * Each part's score as a percentage of its maximum against rings at the floors ([{ name, percent, colour }]; a ring
 * at 0% is left out: levels without a per-part floor). `parts`: [{ name, points, max_points }].
 */
export function radarOption(parts, rings, scoreName) {
  const drawn = rings.filter((r) => r.percent > 0)
  const ring = (r) => ({
    name: r.name,
    value: parts.map(() => r.percent),
    symbol: 'none',
    lineStyle: { type: 'dashed', width: 1.5, color: r.colour },
    itemStyle: { color: r.colour },
    areaStyle: { opacity: 0 }
  })
  const score = {
    name: scoreName,
    value: parts.map((p) => percentOf(p.points, p.max_points)),
    itemStyle: { color: '#409eff' },
    areaStyle: { opacity: 0.25 },
    label: { show: true, formatter: '{c}%', fontSize: 10 }
  }
  return {
    tooltip: { trigger: 'item', valueFormatter: (v) => `${v}%` },
    legend: { bottom: 0, data: [scoreName, ...drawn.map((r) => r.name)] },
    radar: { radius: '62%', center: ['50%', '48%'], indicator: parts.map((p) => ({ name: p.name, max: 100 })), axisName: { color: '#606266' } },
    series: [{ type: 'radar', data: [score, ...drawn.map(ring)] }]
  }
}

// One colour per level, from the lowest (orange, red) to the highest (green), for both schemes.
const LEVEL_COLOURS = { L1: '#f3d19e', L2: '#e6a23c', L3: '#79bbff', L4: '#95d475', L5: '#529b2e', D: '#f56c6c', C: '#eebe77', B: '#409eff', A: '#67c23a' }

/**
 * The published ratings' levels in force per district, stacked: one series per scheme and level present, each
 * scheme's levels from the lowest up (GET /ratings/stats items; `schemes`: GET /rating-schemes items; a rating
 * published without a level is `noLevel`).
 */
export function levelsOption(items, schemes, noLevel) {
  const regions = [...new Map(items.map((i) => [i.region_code, i.region_name]))].sort(([a], [b]) => a.localeCompare(b))
  const series = []
  for (const code of [...new Set(items.map((i) => i.scheme_code))]) {
    const levels = schemes.find((s) => s.code === code)?.levels || []
    const present = new Set(items.filter((i) => i.scheme_code === code).map((i) => i.level))
    for (const level of ['', ...levels.map((l) => l.code)].filter((l) => present.has(l))) {
      const count = (region) => items.filter((i) => i.scheme_code === code && i.level === level && i.region_code === region).reduce((n, i) => n + i.count, 0)
      series.push({
        name: level ? levelName(levels, level) : `${noLevel}（${code}）`,
        type: 'bar',
        stack: 'levels',
        barMaxWidth: 42,
        itemStyle: { color: LEVEL_COLOURS[level] || '#c0c4cc' },
        label: { show: true, position: 'inside', formatter: (p) => (p.value ? p.value : '') },
        data: regions.map(([region]) => count(region))
      })
    }
  }
  const frame = barChartFrame(regions.map(([, name]) => name))
  return { ...frame, legend: { top: 0, type: 'scroll' }, grid: { ...frame.grid, top: 48 }, series }
}
