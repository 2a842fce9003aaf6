/** Escapes text for HTML element content and double-quoted attribute values. Pure. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A table: header cells and rows of already-escaped HTML cells; `empty` when there are no rows. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  empty: string,
): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * The page a double shows a person in a browser: what it received, newest first, reloading itself
 * every few seconds (no script), so a demo can be watched live. Pure.
 */
export function receivedPage(title: string, sections: readonly { heading: string; html: string }[]): string {
  const body = sections.map((s) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.html}`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.empty{color:#656d76}code,pre{font:12px ui-monospace,monospace}pre{margin:0;white-space:pre-wrap}
.success{color:#1a7f37}.failed{color:#cf222e}.running,.pending{color:#9a6700}.canceled,.skipped{color:#656d76}
</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p class="empty">A test double's view of what it received (reloads every 3 s).</p>
${body}
</body></html>
`;
}

/** `2026-12-06 05:20:11` in UTC. Pure. */
export function timeText(at: Date): string {
  return at.toISOString().replace('T', ' ').slice(0, 19);
}
