/** The dashboard's index.html, made right for the path it is served under. Pure: no I/O. */

const pathPrefix = /^(\/[A-Za-z0-9._~-]+)*$/;

/** Where the marker sits in the built index.html (first thing in <head>, before any relative URL). */
export const baseMarker = '<!--ferry:base-->';

/**
 * The `<base href>` of the pages: the configured base path, behind the prefix a trusted reverse
 * proxy says it strips (`X-Forwarded-Prefix`, only with `server.trustProxy`). A prefix that is not
 * a plain path is ignored, so a header can never put markup or another origin into the page.
 */
export function baseHref(basePath: string, forwardedPrefix: string | undefined, trustProxy: boolean): string {
  const prefix =
    trustProxy && forwardedPrefix !== undefined && pathPrefix.test(forwardedPrefix.replace(/\/+$/, ''))
      ? forwardedPrefix.replace(/\/+$/, '')
      : '';
  return `${prefix}${basePath}/`;
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The built page with its `<base href>`: relative asset URLs and the app's routes resolve under it. */
export function renderIndex(template: string, href: string): string {
  const tag = `<base href="${escapeAttribute(href)}">`;
  return template.includes(baseMarker)
    ? template.replace(baseMarker, tag)
    : template.replace('<head>', `<head>${tag}`);
}

/**
 * What the pages may load: only Ferry's own scripts, styles and API. Inline style attributes are
 * allowed for colours and widths; scripts never inline. Log text and commit titles are rendered as
 * text, and this is the second line of defence.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export function missingBuildPage(basePath: string, assetsDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ferry: dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>The dashboard is not built</h1>
<p>Ferry is running, but it found no dashboard in <code>${escapeAttribute(assetsDir)}</code>.</p>
<p>Build it with <code>npm run build</code> (or <code>npm run build -w @ferry/web</code>) and reload this page; no restart is needed.</p>
<p>The API answers meanwhile at <code>${escapeAttribute(basePath)}/api/v1</code>.</p>
</body></html>
`;
}
