// warningText renders one warning ({code, params}) as a sentence of the console's language.
export function warningText(t, w) {
  return t(`orgs.warnings.${w.code}`, w.params || {})
}

// warningType is the el-alert / el-tag type of a warning: overdue terms and oversize branches are
// errors, the rest warnings.
export function warningType(code) {
  return code === 'term_overdue' || code === 'branch_too_large' ? 'error' : 'warning'
}
