// Node module hooks that load tfjs-core's per-file ES modules (dist/*.js, the build that
// bundlers use). tfjs-core's Node bundle has no gradient definitions: `@tensorflow/tfjs`
// registers them by importing dist/register_all_gradients.js, whose files are ES modules with
// extensionless relative imports in a package Node otherwise treats as CommonJS. The
// registrations land in tfjs's global registry (globalThis._tfGlobals), which the Node bundle
// that the backends use shares, so gradients become available to it.
const DIST = "/@tensorflow/tfjs-core/dist/";

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.includes(DIST) && specifier.startsWith(".") && !specifier.endsWith(".js")) {
    try {
      return await nextResolve(`${specifier}.js`, context);
    } catch {
      return nextResolve(`${specifier}/index.js`, context);
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.includes(DIST) && !url.endsWith("/tf-core.node.js")) return nextLoad(url, { ...context, format: "module" });
  return nextLoad(url, context);
}
