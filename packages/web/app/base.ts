/**
 * Where Ferry is mounted, e.g. `/ferry` (empty at the root). The server writes it into the page as
 * `<base href>` (the configured base path, behind a trusted proxy's prefix), so the same build
 * works under any path.
 */
export const basePath: string = (() => {
  const href = document.querySelector('base')?.getAttribute('href');
  if (href === null || href === undefined) return '';
  return new URL(href, location.href).pathname.replace(/\/+$/, '');
})();

/** An absolute URL path under the base: `appPath('/api/v1/pipelines')` → `/ferry/api/v1/pipelines`. */
export function appPath(path: string): string {
  return `${basePath}${path}`;
}
