// Rating schemes (评定标准) by id, fetched once per page load: a scheme version never changes once a rating uses it.
import { getRatingScheme } from '../../api/ratings.js'

const schemes = new Map()

/** GET /rating-schemes/{id}, shared by every page that shows a rating of that scheme. */
export function loadScheme(schemeId) {
  const key = String(schemeId)
  if (!schemes.has(key)) {
    schemes.set(
      key,
      getRatingScheme(schemeId).catch((e) => {
        schemes.delete(key)
        throw e
      })
    )
  }
  return schemes.get(key)
}
