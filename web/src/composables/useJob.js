import { onBeforeUnmount, ref } from 'vue'
import { getJob } from '../api/registry.js'
import { JOB_POLL_MS } from '../constants.js'
import { reportError } from '../utils/notify.js'

const ACTIVE = ['queued', 'running']

/**
 * Follows a background job (GET /jobs/{id}) once a second until it is done, failed or interrupted. Polling
 * stops when the component unmounts. A 4xx answer (the job is unknown or not the user's) ends it; network
 * and server errors are reported and polling goes on.
 */
export function useJob() {
  const job = ref(null)
  const polling = ref(false)
  let timer = null
  let current = null

  function stop() {
    current = null
    polling.value = false
    if (timer) clearTimeout(timer)
    timer = null
  }

  async function poll(id) {
    timer = null
    try {
      const data = await getJob(id)
      if (current !== id) return
      job.value = data
      if (!ACTIVE.includes(data.state)) {
        stop()
        return
      }
    } catch (e) {
      if (current !== id) return
      reportError(e, 'imports.pollFailed')
      if (e && e.status >= 400 && e.status < 500) {
        stop()
        return
      }
    }
    timer = setTimeout(() => poll(id), JOB_POLL_MS)
  }

  /** Starts following job `id` (ending any earlier one); `initial` is shown until the first answer. */
  function follow(id, initial = null) {
    stop()
    current = id
    polling.value = true
    job.value = initial
    poll(id)
  }

  function reset() {
    stop()
    job.value = null
  }

  onBeforeUnmount(stop)

  return { job, polling, follow, stop, reset }
}
