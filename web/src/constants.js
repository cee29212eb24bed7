export const ROLES = ['admin', 'officer', 'inspector', 'institution', 'bureau']
export const USER_STATUSES = ['active', 'disabled']
export const PAGE_SIZES = [10, 20, 50, 100]
export const DEFAULT_PAGE_SIZE = 20
