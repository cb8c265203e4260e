import {
  ElAside,
  ElButton,
  ElButtonGroup,
  ElCard,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDialog,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElInput,
  ElLink,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElMenuItemGroup,
  ElOption,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTreeSelect,
} from 'element-plus'

// The Element Plus components the console uses, registered by name so the bundle carries only
// these. A template that uses another one must add it here.
const components = [
  ElAside,
  ElButton,
  ElButtonGroup,
  ElCard,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDialog,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElInput,
  ElLink,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElMenuItemGroup,
  ElOption,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTreeSelect,
]

export const element = {
  install(app) {
    for (const c of components) app.use(c)
    app.use(ElLoading) // v-loading
  },
}

// v-test:name puts data-test="name" on a component's root element. Element Plus's el-input
// passes plain attributes to its inner <input>; the browser tests select the wrapper
// ([data-test=name]) and type into [data-test=name] input, so the name belongs on the root.
export const vTest = {
  mounted(el, binding) {
    el.dataset.test = binding.arg
  },
}
