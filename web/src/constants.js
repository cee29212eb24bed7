export const ROLES = ['admin', 'officer', 'inspector', 'institution', 'bureau']
export const USER_STATUSES = ['active', 'disabled']
export const PAGE_SIZES = [10, 20, 50, 100]
export const DEFAULT_PAGE_SIZE = 20

// ---------------------------------------------------------------- institution registry
export const SECTORS = ['elderly', 'childcare']
export const KINDS_BY_SECTOR = {
  elderly: ['elderly_institution', 'community_elderly_facility', 'rural_elderly_home'],
  childcare: ['childcare_institution', 'community_childcare_point', 'family_childcare_point', 'kindergarten_nursery_class']
}
export const KINDS = [...KINDS_BY_SECTOR.elderly, ...KINDS_BY_SECTOR.childcare]
export const OWNERSHIPS = ['public', 'public_built_private_run', 'private_nonprofit', 'private_forprofit']
export const FILING_STATES = ['unfiled', 'filed', 'cancelled'] // of an institution
export const MEDICAL_INTEGRATIONS = ['none', 'clinic', 'contract']
export const LICENCE_KINDS = ['fire_acceptance', 'food_business', 'medical_practice', 'other']
export const RELATION_KINDS = ['operator', 'parent', 'branch']
export const FILING_KINDS = ['new', 'change', 'cancel']
export const REVIEW_STATES = ['submitted', 'returned', 'accepted', 'withdrawn'] // of a filing
export const EXPIRY_WINDOWS = [30, 60, 90, 180]

// Record fields in display order, grouped into the sections of the detail page and the forms.
export const RECORD_SECTIONS = [
  { key: 'basic', fields: ['credit_code', 'name', 'kind', 'ownership', 'registering_authority', 'region_code', 'address', 'longitude', 'latitude', 'contact_name', 'contact_phone'] },
  { key: 'legalRep', fields: ['legal_rep_name', 'legal_rep_id_number'] },
  { key: 'scale', fields: ['capacity', 'nursing_beds', 'inclusive', 'inclusive_price', 'fire_acceptance_no', 'food_licence_no'] },
  { key: 'medical', fields: ['medical_integration', 'medical_partner'] }
]
export const RECORD_FIELDS = RECORD_SECTIONS.flatMap((s) => s.fields)
// Child lists of a record, compared and returned as a whole.
export const RECORD_LISTS = ['licences', 'relations']

// Roles that see the directory and the expiring-licence list; who works the filing queue.
export const STAFF_ROLES = ['admin', 'officer', 'inspector', 'bureau']
export const QUEUE_ROLES = ['admin', 'officer']
