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

// Columns of a bulk import file (批量导入): matched by field name or by the Chinese header the export writes.
// The headers must stay exactly those of institutionFields() in modules/registry/src/model.cpp.
export const IMPORT_COLUMNS = [
  { field: 'credit_code', header: '统一社会信用代码', required: true },
  { field: 'name', header: '机构名称', required: true },
  { field: 'kind', header: '机构类型', required: true },
  { field: 'ownership', header: '举办性质', required: true },
  { field: 'registering_authority', header: '登记管理机关', required: false },
  { field: 'region_code', header: '行政区划', required: true },
  { field: 'address', header: '地址', required: true },
  { field: 'longitude', header: '经度', required: false },
  { field: 'latitude', header: '纬度', required: false },
  { field: 'contact_name', header: '联系人', required: false },
  { field: 'contact_phone', header: '联系电话', required: false },
  { field: 'legal_rep_name', header: '法定代表人', required: true },
  { field: 'legal_rep_id_number', header: '法定代表人身份证号码', required: true },
  { field: 'capacity', header: '床位数/托位数', required: true },
  { field: 'nursing_beds', header: '护理型床位数', required: false },
  { field: 'inclusive', header: '普惠', required: false },
  { field: 'inclusive_price', header: '普惠价格(元/月)', required: false },
  { field: 'medical_integration', header: '医养/医育结合', required: false },
  { field: 'medical_partner', header: '内设医疗机构或签约医院', required: false },
  { field: 'fire_acceptance_no', header: '消防验收/备案文号', required: false },
  { field: 'food_licence_no', header: '食品经营许可证号', required: false }
]
// Columns an export adds after the record fields; an import does not know them (delete them first).
export const EXPORT_ONLY_HEADERS = ['备案状态', '备案编号', '所属区划']
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024 // kMaxImportBytes
export const JOB_POLL_MS = 1000

// Who exports the directory; who imports (officers of a competent department).
export const EXPORT_ROLES = STAFF_ROLES
export const IMPORT_ROLES = ['officer']

// Documents of a filing (备案材料): what the server accepts (checked by content) and its size limit.
export const DOCUMENT_ACCEPT = '.pdf,.png,.jpg,.jpeg'
export const DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

// ---------------------------------------------------------------- inspection draws (双随机、一公开)
// Keep in step with modules/draws/include/cw/draws/model.hpp.
export const DRAW_TASK_STATES = ['draft', 'locked', 'drawn', 'in_progress', 'closed']
export const DRAW_GRADES = ['A', 'B', 'C', 'D'] // lowest risk first
// Published provincial practice: A (low risk) 1%, B 2%, C 10%, D (high risk) 30%.
export const DEFAULT_GRADE_RATIOS = { A: '1', B: '2', C: '10', D: '30' } // percent, without the sign
export const STRATA_DIMENSIONS = ['region', 'kind', 'grade']
export const TASK_FILING_STATES = ['filed', 'unfiled']
export const MIN_INSPECTORS_PER_ENTITY = 2 // draws.min_inspectors_per_entity
export const MAX_PER_ENTITY = 10
export const RESULT_CODES = ['1', 'A', 'E', 'F', '7', '8', '9', '10', '11', '12']
export const PROBLEM_REASONS = ['2', 'B', 'C', '6', 'D', '3', '4', '5'] // with result code A
export const FOLLOWUPS = ['none', 'routine', 'order_correction', 'transfer', 'notify']
export const CHECK_METHODS = ['site', 'document', 'adopt', 'testing', 'online', 'entrusted']
export const INSPECTOR_STATUSES = ['active', 'on_leave', 'retired']
export const MEMBER_KINDS = ['enforcement', 'expert']
// Who plans, locks and draws tasks and keeps the lists; who sees results and coverage.
export const DRAW_OFFICER_ROLES = ['admin', 'officer']
export const DRAW_RESULT_ROLES = ['admin', 'officer', 'bureau']
// Evidence of a result (检查证据): what the server accepts (checked by content) and its size limit (draws maxEvidenceBytes).
export const EVIDENCE_ACCEPT = '.pdf,.png,.jpg,.jpeg,.webp'
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

// ---------------------------------------------------------------- hazards (风险隐患) and complaints (投诉举报)
// Keep in step with modules/hazards/include/cw/hazards/model.hpp and catalogue.hpp.
export const HAZARD_STATES = ['reported', 'notified', 'rectifying', 'submitted', 'verified']
export const HAZARD_OPEN_STATES = ['reported', 'notified', 'rectifying', 'submitted']
// The list's state filter: the views across states (未完成, 已逾期, 已升级) first, then the states themselves.
export const HAZARD_STATE_FILTERS = ['open', 'overdue', 'escalated', ...HAZARD_STATES]
export const HAZARD_SEVERITIES = ['general', 'major']
export const HAZARD_CATEGORIES = ['service_safety', 'major_accident', 'fire', 'building', 'gas', 'food', 'public_health', 'childcare', 'other']
export const HAZARD_SOURCES = ['inspection', 'self_check', 'complaint']
export const COMPLAINT_STATES = ['received', 'accepted', 'dismissed']
// Who sees hazards; who of them are staff (report from an inspection, verify); who handles complaints.
export const HAZARD_ROLES = ['admin', 'officer', 'inspector', 'institution']
export const HAZARD_STAFF_ROLES = ['admin', 'officer', 'inspector']
export const COMPLAINT_ROLES = ['admin', 'officer']
// Evidence of rectification (整改材料): what the server accepts (checked by content) and its per-file limit.
export const HAZARD_EVIDENCE_ACCEPT = '.jpg,.jpeg,.png,.pdf,.mp4'
export const HAZARD_EVIDENCE_MAX_BYTES = 100 * 1024 * 1024 // hazards.max_file_bytes
export const MAX_EXTENSION_DAYS = 60 // hazards.max_extension_days
export const MAX_REOPEN_DAYS = 180
// A public complaint's description (characters) and contact.
export const COMPLAINT_MIN_CHARS = 10
export const COMPLAINT_MAX_CHARS = 2000
export const COMPLAINT_CONTACT_MAX = 64
