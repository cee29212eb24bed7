import { onBeforeUnmount, onMounted, ref, watch } from 'vue'
import * as echarts from 'echarts/core'

/**
 * An ECharts chart in the element bound to the returned `el` (a template ref): made when mounted with `option()`,
 * drawn again from scratch whenever `source()` (the props the option is made of) changes, resized with its element
 * and disposed of on unmount. The component registers the ECharts parts it uses (`echarts.use`), so that only
 * those are bundled.
 */
export function useChart(option, source) {
  const el = ref(null)
  let chart = null
  let resizeObserver = null

  onMounted(() => {
    chart = echarts.init(el.value, null, { renderer: 'canvas' })
    chart.setOption(option())
    if (typeof ResizeObserver !== 'undefined') {
      resizeObserver = new ResizeObserver(() => chart && chart.resize())
      resizeObserver.observe(el.value)
    }
  })

  watch(source, () => chart && chart.setOption(option(), { notMerge: true }), { deep: true })

  onBeforeUnmount(() => {
    if (resizeObserver) resizeObserver.disconnect()
    if (chart) chart.dispose()
    chart = null
  })

  return { el }
}

/** The frame of a bar chart over categories (tooltip, grid, axes) shared by the console's charts. */
export function barChartFrame(categories) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: categories,
      axisTick: { alignWithLabel: true },
      axisLabel: { interval: 0, width: 84, overflow: 'break', lineHeight: 14 }
    },
    yAxis: { type: 'value', minInterval: 1 }
  }
}

/** One bar series with rounded tops and its values on top. */
export function barSeries(name, data, color, barMaxWidth) {
  return {
    name,
    type: 'bar',
    barMaxWidth,
    data,
    itemStyle: { color, borderRadius: [4, 4, 0, 0] },
    label: { show: true, position: 'top' }
  }
}
