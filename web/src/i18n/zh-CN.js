// 简体中文（默认语言）。注意：vue-i18n 消息中 { } @ $ | 为特殊字符。
export default {
  app: {
    name: '养老托育监管与信用平台',
    shortName: 'carewatch',
    subtitle: '养老机构与托育机构综合监管、信用评价一体化平台'
  },
  common: {
    search: '查询',
    reset: '重置',
    confirm: '确定',
    cancel: '取消',
    close: '关闭',
    save: '保存',
    actions: '操作',
    loading: '加载中…',
    none: '—',
    all: '全部',
    yes: '是',
    no: '否',
    backHome: '返回工作台',
    goLogin: '前往登录',
    sample: '示例数据',
    operationDone: '操作成功'
  },
  lang: {
    switchTo: 'English',
    switchTitle: '切换语言'
  },
  role: {
    admin: '系统管理员',
    officer: '部门工作人员',
    inspector: '执法检查人员',
    institution: '机构用户',
    bureau: '市场监管信用分析'
  },
  status: {
    active: '正常',
    disabled: '已停用',
    locked: '已锁定'
  },
  menu: {
    dashboard: '工作台',
    adminGroup: '系统管理',
    users: '用户管理',
    audit: '审计日志'
  },
  auth: {
    title: '用户登录',
    username: '用户名',
    password: '密码',
    usernamePlaceholder: '请输入用户名',
    passwordPlaceholder: '请输入密码',
    submit: '登录',
    submitting: '登录中…',
    usernameRequired: '请输入用户名',
    passwordRequired: '请输入密码',
    loginFailed: '登录失败',
    logout: '退出登录',
    logoutDone: '已退出登录',
    sessionExpired: '会话已过期，请重新登录',
    notice: '本系统仅限授权人员使用，所有操作均记录审计日志。'
  },
  header: {
    currentUser: '当前用户'
  },
  dashboard: {
    welcome: '欢迎，{name}',
    roleLine: '您的身份：{role}',
    department: '所属部门',
    region: '所属区域',
    lastLogin: '上次登录',
    certificate: '执法证号',
    institution: '机构编号',
    upcoming: '主要工作',
    placeholderNote: '本工作台为占位页面，业务功能将在后续版本中陆续开放。',
    chartNote: '图表为示意性示例数据，不代表真实业务统计。',
    roles: {
      admin: {
        title: '系统管理',
        desc: '负责平台账号与权限管理，并通过防篡改的审计日志追溯所有关键操作。',
        items: ['创建、停用、启用各类用户账号，重置密码', '按部门、区域、角色分配账号权限', '查询审计日志，核验哈希链完整性']
      },
      officer: {
        title: '部门审核',
        desc: '负责审核本部门职责范围内的机构备案、整改材料与相关申请。',
        items: ['审核养老、托育机构备案信息', '审核整改证明材料并给出审核意见', '跟踪本部门待办与已办事项']
      },
      inspector: {
        title: '执法检查',
        desc: '按照“双随机、一公开”要求，领取随机抽查名单并开展现场检查。',
        items: ['查看分配给本人的随机抽查名单', '在现场记录检查结果与发现的问题', '对发现的问题下达整改要求']
      },
      institution: {
        title: '机构填报',
        desc: '负责本机构的备案信息填报，以及按要求上传整改证明材料。',
        items: ['填报和更新本机构备案信息', '查看检查结果与整改要求', '上传整改证明材料并跟踪审核进度']
      },
      bureau: {
        title: '信用分析',
        desc: '查询机构信用信息，开展信用评价分析，支撑分级分类监管。',
        items: ['按机构查询信用记录与检查结果', '查看信用等级分布与变化趋势', '导出信用分析报告']
      }
    },
    charts: {
      admin: { title: '账号角色分布（示例）' },
      officer: { title: '待审核事项（示例）', cats: ['机构备案', '整改材料', '其他申请'] },
      inspector: { title: '本月检查任务（示例）', cats: ['待检查', '检查中', '已完成'] },
      institution: { title: '备案与整改（示例）', cats: ['已提交备案', '待整改', '已整改'] },
      bureau: { title: '信用等级分布（示例）', cats: ['A 级', 'B 级', 'C 级', 'D 级'] },
      series: '数量（示例）'
    }
  },
  users: {
    title: '用户管理',
    filterRole: '角色',
    filterKeyword: '关键字',
    keywordPlaceholder: '用户名或姓名',
    filterStatus: '状态',
    create: '新建用户',
    id: 'ID',
    username: '用户名',
    displayName: '姓名',
    role: '角色',
    department: '所属部门',
    region: '所属区域',
    certificateNo: '执法证号',
    institutionId: '机构编号',
    status: '状态',
    lockedUntil: '锁定至 {time}',
    lastLogin: '最近登录',
    createdAt: '创建时间',
    password: '初始密码',
    newPassword: '新密码',
    confirmPassword: '确认密码',
    disable: '停用',
    enable: '启用',
    resetPassword: '重置密码',
    self: '当前登录账号',
    createTitle: '新建用户',
    resetTitle: '重置密码：{name}',
    selectRole: '请选择角色',
    selectDepartment: '请选择部门',
    selectRegion: '请选择区域',
    required: '请填写{field}',
    passwordMismatch: '两次输入的密码不一致',
    institutionIdInvalid: '机构编号必须是正整数',
    confirmDisable: '确定停用用户「{name}」吗？停用后该用户将无法登录。',
    confirmEnable: '确定启用用户「{name}」吗？',
    confirmTitle: '请确认',
    created: '用户「{name}」已创建',
    disabled: '用户「{name}」已停用',
    enabled: '用户「{name}」已启用',
    passwordReset: '用户「{name}」的密码已重置',
    loadFailed: '加载用户列表失败'
  },
  audit: {
    title: '审计日志',
    actor: '操作人',
    actorPlaceholder: '操作人用户名',
    action: '操作',
    actionPlaceholder: '例如 user.create',
    objectType: '对象类型',
    objectTypePlaceholder: '例如 user',
    timeRange: '时间范围',
    startTime: '开始时间',
    endTime: '结束时间',
    seq: '序号',
    occurredAt: '发生时间',
    objectId: '对象 ID',
    clientIp: '客户端 IP',
    requestId: '请求 ID',
    summary: '变更摘要（前 / 后）',
    prevHash: '前一条哈希（prev_hash）',
    hash: '本条哈希（hash）',
    loadFailed: '加载审计日志失败'
  },
  errors: {
    forbiddenTitle: '403 无权访问',
    forbiddenText: '抱歉，您没有权限访问该页面。',
    notFoundTitle: '404 页面不存在',
    notFoundText: '您访问的页面不存在或已被移除。',
    network: '无法连接服务器，请检查网络后重试',
    permission: '没有权限执行该操作',
    unknown: '请求失败（{status}）'
  }
}
