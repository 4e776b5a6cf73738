// For tools that read .ts files without Vue's compiler (ESLint's type-aware rules); vue-tsc knows
// the real types of each .vue file.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
