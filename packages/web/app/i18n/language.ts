export const languages = ['en', 'zh'] as const;
export type Language = (typeof languages)[number];

/** Where the dashboard keeps the language picked with the switch. */
export const languageStorageKey = 'ferry.language';

/**
 * The dashboard's language: the one picked with the switch (kept in localStorage), else the first
 * of the browser's languages (navigator.languages) that Ferry speaks, else English. Pure.
 */
export function pickLanguage(browser: readonly string[], stored: string | null): Language {
  if (stored === 'en' || stored === 'zh') return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/** `{name}` in a message replaced by its parameter. Pure. */
export function fill(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}
