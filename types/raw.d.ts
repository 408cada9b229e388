// Templates are imported as text with the `?raw` suffix: Vite (tests) supports it natively and
// scripts/build.mjs teaches esbuild the same, so the bundles carry the templates inside them.
declare module '*?raw' {
  const text: string;
  export default text;
}
