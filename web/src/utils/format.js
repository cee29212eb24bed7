// Timestamps come from the server as ISO-8601 UTC (possibly with microseconds);
// they are shown in the browser's local time zone, zh-CN style.
const formatter = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false
})

export function parseTime(value) {
  if (!value) return null
  // Trim sub-millisecond digits ("…00.123456Z" → "…00.123Z") for strict parsers.
  const normalized = String(value).replace(/(\.\d{3})\d+/, '$1')
  const d = new Date(normalized)
  return Number.isNaN(d.getTime()) ? null : d
}

export function formatTime(value, empty = '—') {
  const d = parseTime(value)
  if (!d) return value ? String(value) : empty
  const parts = Object.fromEntries(formatter.formatToParts(d).map((p) => [p.type, p.value]))
  const hour = parts.hour === '24' ? '00' : parts.hour
  return `${parts.year}-${parts.month}-${parts.day} ${hour}:${parts.minute}:${parts.second}`
}

/** A Date → ISO-8601 UTC without milliseconds, e.g. 2026-11-22T08:00:00Z. */
export function toIsoUtc(date) {
  if (!date) return ''
  const d = date instanceof Date ? date : new Date(date)
  if (Number.isNaN(d.getTime())) return ''
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function isLocked(user, now = Date.now()) {
  const d = parseTime(user && user.locked_until)
  return !!d && d.getTime() > now
}

export function prettyJson(value) {
  if (value === undefined) return ''
  try {
    return JSON.stringify(value, null, 2)
  } catch {
    return String(value)
  }
}

/** Bytes as "850 B", "12.3 KB", "4.5 MB". */
export function formatBytes(n) {
  const v = Number(n)
  if (!Number.isFinite(v) || v < 0) return '—'
  if (v < 1024) return `${v} B`
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`
  return `${(v / (1024 * 1024)).toFixed(1)} MB`
}
