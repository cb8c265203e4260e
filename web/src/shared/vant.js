import {
  Button,
  Cell,
  CellGroup,
  ConfigProvider,
  Empty,
  Field,
  Form,
  Loading,
  NavBar,
  Radio,
  RadioGroup,
  Tabbar,
  TabbarItem,
  Tag,
} from 'vant'

// The Vant components the phone pages use, registered once so the bundle carries only these. A
// phone template that uses another one must add it here: internal/server's
// TestConsoleComponentsAreRegistered checks every <van-…> tag. Pages import only the function
// helpers (showToast, showDialog …) from 'vant'.
const components = [Button, Cell, CellGroup, ConfigProvider, Empty, Field, Form, Loading, NavBar, Radio, RadioGroup, Tabbar, TabbarItem, Tag]

export const vant = {
  install(app) {
    for (const c of components) app.use(c)
  },
}
