// The notice's words: the event type's template (notices.templates) in the configured language,
// its {placeholders} filled. What an SMPP gateway sends and what the trail keeps.
import type { NoticesConfig } from '@hub/config';

export interface NoticeWords {
  language: NoticesConfig['language'];
  text: string;
  params: Record<string, string>;
}

/** The text for an event type, or undefined when it has no template. Unknown placeholders stay as written. */
export function noticeWords(settings: NoticesConfig, type: string, params: Record<string, string>): NoticeWords | undefined {
  const template = settings.templates[type]?.[settings.language];
  if (!template) return undefined;
  const text = template.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
  return { language: settings.language, text, params };
}
