// The hazard catalogue (隐患目录), fetched once per page load and shared by the report forms; and the report form's
// model, checks and request body, shared by the report dialog (登记隐患 / 自查上报) and the complaint dialog (受理).
import { computed, ref } from 'vue'
import { getCatalogue } from '../../api/hazards.js'
import { i18n } from '../../i18n/index.js'
import { addDays } from './labels.js'

const entries = ref([])
let loading = null

export function useHazardCatalogue() {
  function load() {
    if (!loading) {
      loading = getCatalogue()
        .then((d) => {
          entries.value = Array.isArray(d.items) ? d.items : []
        })
        .catch((e) => {
          loading = null
          throw e
        })
    }
    return loading
  }
  const byCode = computed(() => Object.fromEntries(entries.value.map((e) => [e.code, e])))
  /** The entries that apply to an institution of `sector` (elderly | childcare); all of them without one. */
  const forSector = (sector) => entries.value.filter((e) => !sector || e.applies_to === 'both' || e.applies_to === sector)
  return { entries, byCode, forSector, load }
}

/** An entry's name in the current language. */
export const entryName = (e) => (e ? (i18n.global.locale.value === 'en' && e.name_en ? e.name_en : e.name) : '')

export const REPORT_FIELDS = ['catalogue_code', 'title', 'description', 'location', 'severity', 'deadline', 'deadline_reason']

export const emptyReport = () => Object.fromEntries(REPORT_FIELDS.map((f) => [f, '']))

/** The deadline the server gives an entry by default: `today` plus the entry's rectification days. */
export const defaultDeadline = (entry, today) => (entry ? addDays(today, entry.rectification_days) : '')

const blank = (v) => String(v ?? '').trim()

/**
 * The form's problems as { field: message } (empty when it can be sent). `withDeadline`: the form sets severity and
 * deadline (staff); an institution's self-check takes the catalogue's.
 */
export function checkReport(form, entry, { withDeadline, today }) {
  const t = i18n.global.t
  const errors = {}
  if (!entry) errors.catalogue_code = t('hazards.report.catalogueRequired')
  const title = blank(form.title).length
  if (title < 2 || title > 128) errors.title = t('hazards.report.titleLength')
  const description = blank(form.description).length
  if (description < 2 || description > 2000) errors.description = t('hazards.report.descriptionLength')
  if (blank(form.location).length > 255) errors.location = t('hazards.report.locationLength')
  if (withDeadline && entry && form.deadline && form.deadline !== defaultDeadline(entry, today)) {
    if (form.deadline < today) errors.deadline = t('hazards.report.deadlinePast')
    const reason = blank(form.deadline_reason).length
    if (reason < 2 || reason > 512) errors.deadline_reason = t('hazards.report.reasonRequired')
  }
  return errors
}

/** The report's request body: severity and deadline only where they differ from the catalogue's defaults. */
export function reportBody(form, entry, { withDeadline, today }) {
  const body = { catalogue_code: form.catalogue_code, title: blank(form.title), description: blank(form.description) }
  if (blank(form.location)) body.location = blank(form.location)
  if (withDeadline && entry) {
    if (form.severity && form.severity !== entry.severity) body.severity = form.severity
    if (form.deadline && form.deadline !== defaultDeadline(entry, today)) {
      body.deadline = form.deadline
      body.deadline_reason = blank(form.deadline_reason)
    }
  }
  return body
}
