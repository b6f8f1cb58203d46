// The Custom Elements Manifest (custom-elements.json, referenced from package.json):
// elements, attributes, properties, events, parts and CSS custom properties, read off the
// sources' decorators and JSDoc. `npm run manifest` writes it; a Node test checks it is current.
export default {
  globs: ['src/**/*.ts'],
  // The app's entry and its service-worker registration are not part of the library.
  exclude: ['src/main.ts', 'src/app/**'],
  litelement: true,
  outdir: '.',
  // package.json names the manifest itself; the analyzer would rewrite that field to wherever it writes.
  packagejson: false,
};
