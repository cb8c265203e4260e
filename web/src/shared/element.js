import {
  ElAlert,
  ElAside,
  ElButton,
  ElButtonGroup,
  ElCalendar,
  ElCard,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElDialog,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElInput,
  ElInputNumber,
  ElLink,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElMenuItemGroup,
  ElOption,
  ElOptionGroup,
  ElRadio,
  ElRadioButton,
  ElRadioGroup,
  ElResult,
  ElSelect,
  ElStep,
  ElSteps,
  ElSwitch,
  ElTable,
  ElTableColumn,
  ElTabPane,
  ElTabs,
  ElTag,
  ElTimeline,
  ElTimelineItem,
  ElTree,
  ElTreeSelect,
  ElUpload,
} from 'element-plus'

// The Element Plus components the console uses, registered once for every page so the bundle
// carries only these. A template that uses another one must add it here (with the component
// that installs it, for parts such as ElTableColumn): internal/server's
// TestConsoleComponentsAreRegistered checks every tag. Pages import none themselves.
const components = [
  ElAlert,
  ElAside,
  ElButton,
  ElButtonGroup,
  ElCalendar,
  ElCard,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElDialog,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElInput,
  ElInputNumber,
  ElLink,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElMenuItemGroup,
  ElOption,
  ElOptionGroup,
  ElRadio,
  ElRadioButton,
  ElRadioGroup,
  ElResult,
  ElSelect,
  ElStep,
  ElSteps,
  ElSwitch,
  ElTable,
  ElTableColumn,
  ElTabPane,
  ElTabs,
  ElTag,
  ElTimeline,
  ElTimelineItem,
  ElTree,
  ElTreeSelect,
  ElUpload,
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
