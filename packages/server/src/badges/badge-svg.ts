/** A two-part badge as shields.io draws them: a grey label, a coloured message. */
export interface Badge {
  label: string;
  message: string;
  /** A CSS colour (hex). */
  color: string;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for SVG/XML: markup characters escaped, control characters dropped, length capped. Pure. */
export function svgText(text: string, max = 60): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
  const clean = [...text.replace(/[\u0000-\u001f\u007f]/g, '')];
  const cut = clean.length > max ? `${clean.slice(0, max - 1).join('')}…` : clean.join('');
  return cut.replace(/[&<>"']/g, (c) => escapes[c] as string);
}

/** Width of a text in Verdana 11px, near enough: 7 px a character, wide ones 11. Pure. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\uffff]/.test(ch) ? 11 : /[mwMW@%]/.test(ch) ? 9 : 7;
  return w;
}

/** The badge as an SVG document (shields' "flat" style, with a title for screen readers). Pure. */
export function badgeSvg(badge: Badge): string {
  const label = svgText(badge.label);
  const message = svgText(badge.message);
  const color = /^#[0-9a-f]{3,8}$/i.test(badge.color) ? badge.color : '#9f9f9f';
  const lw = textWidth(badge.label.slice(0, 60)) + 12;
  const mw = textWidth(badge.message.slice(0, 60)) + 12;
  const width = lw + mw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${label}: ${message}">
<title>${label}: ${message}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${width}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>
<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text><text x="${lw + mw / 2}" y="14">${message}</text>
</g>
</svg>
`;
}
