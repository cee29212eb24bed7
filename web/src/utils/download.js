// Saving bytes made or fetched in the browser as a download.

/** Saves `blob` in the browser's downloads as `filename`. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // The browser has taken the blob once the click is handled; the URL is kept a while for slow ones.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
