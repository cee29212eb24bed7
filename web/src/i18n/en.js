// English. Note: { } @ $ | are special characters in vue-i18n messages.
export default {
  app: {
    name: 'carewatch',
    shortName: 'carewatch',
    subtitle: 'Supervision and credit platform for elderly-care and childcare institutions'
  },
  common: {
    search: 'Search',
    reset: 'Reset',
    confirm: 'OK',
    cancel: 'Cancel',
    close: 'Close',
    save: 'Save',
    actions: 'Actions',
    loading: 'Loading…',
    none: '—',
    all: 'All',
    yes: 'Yes',
    no: 'No',
    backHome: 'Back to dashboard',
    goLogin: 'Go to sign-in',
    sample: 'Sample data',
    operationDone: 'Done'
  },
  lang: {
    switchTo: '中文',
    switchTitle: 'Switch language'
  },
  role: {
    admin: 'System administrator',
    officer: 'Department officer',
    inspector: 'Inspector',
    institution: 'Institution user',
    bureau: 'Market-regulation credit analyst'
  },
  status: {
    active: 'Active',
    disabled: 'Disabled',
    locked: 'Locked'
  },
  menu: {
    dashboard: 'Dashboard',
    adminGroup: 'Administration',
    users: 'Users',
    audit: 'Audit log'
  },
  auth: {
    title: 'Sign in',
    username: 'Username',
    password: 'Password',
    usernamePlaceholder: 'Enter your username',
    passwordPlaceholder: 'Enter your password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    usernameRequired: 'Please enter your username',
    passwordRequired: 'Please enter your password',
    loginFailed: 'Sign-in failed',
    logout: 'Sign out',
    logoutDone: 'Signed out',
    sessionExpired: 'Your session has expired, please sign in again',
    notice: 'Authorized personnel only. All operations are recorded in the audit log.'
  },
  header: {
    currentUser: 'Current user'
  },
  dashboard: {
    welcome: 'Welcome, {name}',
    roleLine: 'Your role: {role}',
    department: 'Department',
    region: 'Region',
    lastLogin: 'Last sign-in',
    certificate: 'Certificate no.',
    institution: 'Institution ID',
    upcoming: 'What you will do here',
    placeholderNote: 'This dashboard is a placeholder; business features will be added in later releases.',
    chartNote: 'The chart shows illustrative sample data, not real statistics.',
    roles: {
      admin: {
        title: 'Administration',
        desc: 'Manage platform accounts and permissions, and trace every key operation through the tamper-evident audit log.',
        items: ['Create, disable and enable accounts; reset passwords', 'Assign accounts to departments, regions and roles', 'Search the audit log and verify its hash chain']
      },
      officer: {
        title: 'Department reviews',
        desc: 'Review institution filings, rectification evidence and applications within your department.',
        items: ['Review elderly-care and childcare institution filings', 'Review rectification evidence and record decisions', 'Track pending and completed items of your department']
      },
      inspector: {
        title: 'Inspections',
        desc: 'Receive random inspection lists ("double random, one public") and carry out on-site inspections.',
        items: ['See the random inspection lists assigned to you', 'Record on-site findings', 'Issue rectification requirements for problems found']
      },
      institution: {
        title: 'Institution filings',
        desc: 'Maintain your institution\'s filing and upload rectification evidence when required.',
        items: ['Submit and update your institution filing', 'See inspection results and rectification requirements', 'Upload rectification evidence and follow its review']
      },
      bureau: {
        title: 'Credit analysis',
        desc: 'Query institutions\' credit information and analyse credit ratings to support risk-based supervision.',
        items: ['Query credit records and inspection results by institution', 'See the distribution and trend of credit ratings', 'Export credit analysis reports']
      }
    },
    charts: {
      admin: { title: 'Accounts by role (sample)' },
      officer: { title: 'Items awaiting review (sample)', cats: ['Filings', 'Rectification evidence', 'Other applications'] },
      inspector: { title: 'Inspections this month (sample)', cats: ['To do', 'In progress', 'Done'] },
      institution: { title: 'Filings and rectification (sample)', cats: ['Filings submitted', 'To rectify', 'Rectified'] },
      bureau: { title: 'Credit rating distribution (sample)', cats: ['Grade A', 'Grade B', 'Grade C', 'Grade D'] },
      series: 'Count (sample)'
    }
  },
  users: {
    title: 'Users',
    filterRole: 'Role',
    filterKeyword: 'Keyword',
    keywordPlaceholder: 'Username or name',
    filterStatus: 'Status',
    create: 'New user',
    id: 'ID',
    username: 'Username',
    displayName: 'Display name',
    role: 'Role',
    department: 'Department',
    region: 'Region',
    certificateNo: 'Certificate no.',
    institutionId: 'Institution ID',
    status: 'Status',
    lockedUntil: 'Locked until {time}',
    lastLogin: 'Last sign-in',
    createdAt: 'Created at',
    password: 'Initial password',
    newPassword: 'New password',
    confirmPassword: 'Confirm password',
    disable: 'Disable',
    enable: 'Enable',
    resetPassword: 'Reset password',
    self: 'Your own account',
    createTitle: 'New user',
    resetTitle: 'Reset password: {name}',
    selectRole: 'Select a role',
    selectDepartment: 'Select a department',
    selectRegion: 'Select a region',
    required: '{field} is required',
    passwordMismatch: 'The passwords do not match',
    institutionIdInvalid: 'Institution ID must be a positive integer',
    confirmDisable: 'Disable user "{name}"? The user will no longer be able to sign in.',
    confirmEnable: 'Enable user "{name}"?',
    confirmTitle: 'Please confirm',
    created: 'User "{name}" created',
    disabled: 'User "{name}" disabled',
    enabled: 'User "{name}" enabled',
    passwordReset: 'Password of "{name}" has been reset',
    loadFailed: 'Failed to load users'
  },
  audit: {
    title: 'Audit log',
    actor: 'Actor',
    actorPlaceholder: 'Actor username',
    action: 'Action',
    actionPlaceholder: 'e.g. user.create',
    objectType: 'Object type',
    objectTypePlaceholder: 'e.g. user',
    timeRange: 'Time range',
    startTime: 'Start',
    endTime: 'End',
    seq: 'Seq',
    occurredAt: 'Occurred at',
    objectId: 'Object ID',
    clientIp: 'Client IP',
    requestId: 'Request ID',
    summary: 'Change summary (before / after)',
    prevHash: 'Previous hash (prev_hash)',
    hash: 'Hash',
    loadFailed: 'Failed to load the audit log'
  },
  errors: {
    forbiddenTitle: '403 Forbidden',
    forbiddenText: 'Sorry, you are not allowed to access this page.',
    notFoundTitle: '404 Not found',
    notFoundText: 'The page you are looking for does not exist.',
    network: 'Cannot reach the server, please check your network and retry',
    permission: 'You are not allowed to perform this operation',
    unknown: 'Request failed ({status})'
  }
}
