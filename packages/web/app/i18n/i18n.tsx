import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { fill, type Language, languageStorageKey, pickLanguage } from './language';
import { en, type MessageKey } from './messages-en';
import { zh } from './messages-zh';

const messages = { en, zh } as const;

export interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string;
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(languageStorageKey);
  } catch {
    return null;
  }
}

function initialLanguage(): Language {
  return pickLanguage(
    typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
    storedLanguage(),
  );
}

const fallback: I18n = {
  language: 'en',
  setLanguage: () => undefined,
  t: (key, params) => fill(en[key], params),
};

const I18nContext = createContext<I18n>(fallback);

/** The language of the page: the browser's, until the switch picks one (kept in localStorage). */
export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    try {
      localStorage.setItem(languageStorageKey, next);
    } catch {
      // Storage off (private mode): the switch holds for this page only.
    }
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = localeOf(language);
  }, [language]);
  const value = useMemo<I18n>(
    () => ({ language, setLanguage, t: (key, params) => fill(messages[language][key], params) }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** The BCP 47 tag of a language, for dates (`toLocaleString`) and `<html lang>`. */
export function localeOf(language: Language): string {
  return language === 'zh' ? 'zh-CN' : 'en';
}
