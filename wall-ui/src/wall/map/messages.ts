// The map's strings live in the wall's message files (wall-ui/src/wall/i18n, keys `map.*`).
// This module only names the subset the map uses, for the map's components and for pages that
// embed the map without the rest of the wall.
import { messages, type Locale, type MessageKey } from '../i18n';

export type MapMessageKey = Extract<MessageKey, `map.${string}`>;

/** The map's messages in each language, taken from the wall's message files. */
export const mapMessages: Record<Locale, Record<MapMessageKey, string>> = Object.fromEntries(
  Object.entries(messages).map(([locale, table]) => [locale, Object.fromEntries(Object.entries(table).filter(([key]) => key.startsWith('map.'))) as Record<MapMessageKey, string>]),
) as Record<Locale, Record<MapMessageKey, string>>;
