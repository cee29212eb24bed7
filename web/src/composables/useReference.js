// Reference data shared by the registry pages: regions (GB/T 2260) and departments, fetched once per page
// load and cached; plus which sector the signed-in officer's department supervises (民政 → elderly care,
// 卫健 → childcare).
import { computed, ref } from 'vue'
import { listDepartments, listRegions } from '../api/meta.js'
import { useAuthStore } from '../stores/auth.js'

const regions = ref([])
const departments = ref([])
let regionsPromise = null
let departmentsPromise = null

// Fallback when the department list could not be loaded.
const KNOWN_SECTORS = { MZ: 'elderly', WJ: 'childcare' }

function loadRegions() {
  if (!regionsPromise) {
    regionsPromise = listRegions()
      .then((d) => {
        regions.value = Array.isArray(d.items) ? d.items : []
      })
      .catch((e) => {
        regionsPromise = null
        throw e
      })
  }
  return regionsPromise
}

function loadDepartments() {
  if (!departmentsPromise) {
    departmentsPromise = listDepartments()
      .then((d) => {
        departments.value = Array.isArray(d.items) ? d.items : []
      })
      .catch((e) => {
        departmentsPromise = null
        throw e
      })
  }
  return departmentsPromise
}

export function useReference() {
  const auth = useAuthStore()

  const regionByCode = computed(() => Object.fromEntries(regions.value.map((r) => [r.code, r])))

  function regionName(code) {
    const r = regionByCode.value[code]
    return r ? r.name : code
  }

  /** Regions usable as a filter or a record's region: city and below, each labelled with its parent. */
  const regionOptions = computed(() =>
    regions.value
      .filter((r) => r.level !== 'province')
      .map((r) => {
        const parent = r.parent_code ? regionByCode.value[r.parent_code] : null
        const indent = r.level === 'city' ? '' : '\u3000'
        return {
          code: r.code,
          name: r.name,
          level: r.level,
          label: `${indent}${r.name}`,
          fullName: parent && parent.level !== 'province' ? `${parent.name} ${r.name}` : r.name
        }
      })
  )

  /** 'elderly' | 'childcare' when the user is an officer of a competent department, else ''. */
  const competentSector = computed(() => {
    const u = auth.user
    if (!u || u.role !== 'officer' || !u.department_code) return ''
    const dep = departments.value.find((d) => d.code === u.department_code)
    const sector = dep ? dep.sector : KNOWN_SECTORS[u.department_code]
    return sector === 'elderly' || sector === 'childcare' ? sector : ''
  })

  function load() {
    return Promise.allSettled([loadRegions(), loadDepartments()])
  }

  return { regions, departments, regionName, regionOptions, competentSector, load }
}
