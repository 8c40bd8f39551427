/** Human sizes, the same in the tree, tooltips and the chain webview: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/**
 * An ISO-8601 time as a person reads it in `locale` (a BCP 47 tag such as "en-GB"; the runtime's
 * default when absent): "3 Dec 2026, 09:30". Text that is not a time is returned as it is.
 */
export function formatDate(iso: string, locale?: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) {
    return iso;
  }
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(locale, options).format(t);
  } catch {
    // An unknown locale tag: the runtime's own.
    return new Intl.DateTimeFormat(undefined, options).format(t);
  }
}

/** Dates in confirmations: the UI's formats when given (the user's locale), else the runtime's. */
export function dateText(iso: string, formats?: { date(iso: string): string }): string {
  return formats ? formats.date(iso) : formatDate(iso);
}
