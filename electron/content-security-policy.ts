// One strict CSP for the renderer, in Electron (file://) and in browser mode alike:
// only our own scripts, no eval, no remote content, calls only back to where we came from.
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'", // CSP Evaluator's caution about 'self' (JSONP, AngularJS, uploads) does not apply: 'self' serves only the built renderer
  "style-src 'self' 'unsafe-inline'", // Svelte transitions set inline styles
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
