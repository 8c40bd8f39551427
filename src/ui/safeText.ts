/**
 * The one escaping layer for untrusted text: every string a cloud gives us (names, tags,
 * descriptions, error messages) passes through here before it reaches a surface of the editor
 * that interprets text. vscode-free, so unit tests run it in plain Node.
 *
 * What VS Code 1.139 interprets, per surface (read from its source and its shipped workbench):
 * - Notifications (`show*Message`) and progress shown as a notification: `parseLinkedText`
 *   (`src/vs/base/common/linkedText.ts`) turns `[label](https://…|http://…|command:…|file:…)`
 *   into a clickable link that opens the URL or runs the command. There is no escape syntax.
 *   Newlines become spaces, and messages longer than 1000 characters are cut.
 * - Status-bar text, window progress titles and — when its notification is hidden — a
 *   notification progress title: `renderLabelWithIcons` turns `$(name)` / `$(name~modifier)`
 *   into a codicon; `\$(name)` is its escape and shows `$(name)` as text.
 * - Quick-pick labels, descriptions and details: `$(name)` codicons, same escape.
 * - Input-box prompts and validation messages: both links and codicons.
 * - Markdown tooltips (MarkdownString): Markdown, GFM autolinks (`https://…`, `www.…`,
 *   `user@host`), HTML entities; VS Code's own `appendText` turns every space into `&nbsp;` (so
 *   long text can only break mid-word) and its backslash escapes end up inside autolinks.
 * - The log (output channel): plain text, but a newline starts a new entry, and ANSI escapes,
 *   bidirectional-text controls (U+202E…) and invisible characters change what a line appears
 *   to say.
 *
 * What this layer does to untrusted text, never dropping it silently:
 * - invisible and line-breaking characters (C0/C1 controls, ANSI escapes, bidi controls,
 *   zero-width and tag characters, line/paragraph separators) are shown as escapes: `\n`, `\r`,
 *   `\t`, `\x1B`, `\u202E`, `\u{E0041}`; ZWJ/ZWNJ (emoji sequences, Indic and Persian scripts) stay;
 * - text that is too long for a surface is cut with a note of its full length;
 * - codicons are escaped with VS Code's own `\$(…)` where the surface supports it; links (which
 *   have no escape) and codicons in notification progress (shown both as a notification, which
 *   has no escape, and in the status bar) are broken by one space after the `]` or `$`, so the
 *   text reads the same and nothing look-alike or invisible is added;
 * - in Markdown every ASCII punctuation character becomes a numeric character reference
 *   (`&#91;`…): shown as itself, never syntax, never part of an autolink, no stray backslash.
 *
 * Text the extension writes itself is trusted: the tagged templates below (`message`,
 * `progress`, `status`, `prompt`) escape only the interpolated values, and a link or codicon
 * survives only if the extension wrote every character of it.
 */

/** Invisible or line-breaking characters that change what text appears to say. */
const HIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]|[\u{E0000}-\u{E007F}]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Hidden characters shown as escapes (`\n`, `\x1B`, `\u202E`): one line, read as stored. */
export function visible(text: string): string {
  return text.replace(HIDDEN, (c) => {
    const code = c.codePointAt(0) ?? 0;
    const hex = code.toString(16).toUpperCase();
    return NAMED[c] ?? (code < 0x100 ? `\\x${hex.padStart(2, '0')}` : code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`);
  });
}

/**
 * Cuts text longer than `max` characters, keeping its start and end and saying how long it was:
 * `abc…[10240 characters]…xyz`. Never splits a surrogate pair.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const tail = Math.floor(max / 4);
  let head = max - tail;
  let from = text.length - tail;
  if (isLowSurrogate(text.charCodeAt(head))) {
    head--;
  }
  if (isLowSurrogate(text.charCodeAt(from))) {
    from++;
  }
  return `${text.slice(0, head)}…[${text.length} characters]…${text.slice(from)}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The longest untrusted value shown in a notification, a progress title or a prompt. */
export const MESSAGE_VALUE_MAX = 300;
/** The longest untrusted text in a quick-pick label, description or detail. */
export const PICK_MAX = 300;
/** The longest untrusted value in a Markdown tooltip. */
export const TOOLTIP_VALUE_MAX = 1000;
/** The longest log entry (a 10 KB name is cut in the middle, with its length). */
export const LOG_MAX = 4000;

/** Any value, as untrusted text for a message: visible, and cut to `max`. */
function plain(value: unknown, max: number): string {
  return visible(shorten(typeof value === 'string' ? value : String(value), max));
}

// --- links and codicons -------------------------------------------------------------------------

/** VS Code's `parseLinkedText` pattern (1.139), used by notifications and input-box messages. */
export const LINK_PATTERN = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** VS Code's codicon pattern (`renderLabelWithIcons`, 1.139): an optional escaping backslash, `$(name~modifier)`. */
export const ICON_PATTERN = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

/** Text with a mark per character: true where the extension wrote it. */
interface Marked {
  text: string;
  trusted: boolean[];
}

/** One mark per UTF-16 code unit of `s`. */
function marks(s: string, trusted: boolean): boolean[] {
  return new Array<boolean>(s.length).fill(trusted);
}

function insert(m: Marked, at: number, s: string): void {
  m.text = m.text.slice(0, at) + s + m.text.slice(at);
  m.trusted.splice(at, 0, ...marks(s, false));
}

function touchesUntrusted(m: Marked, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (!m.trusted[i]) {
      return true;
    }
  }
  return false;
}

/**
 * Breaks every link whose target an untrusted value wrote any part of (the `](`, the URL or the
 * title), by a space after the `]`. A link of ours with an untrusted label keeps working.
 */
function breakLinks(m: Marked): void {
  const re = new RegExp(LINK_PATTERN.source, 'gi');
  let match: RegExpExecArray | null;
  while ((match = re.exec(m.text))) {
    const close = match.index + 1 + match[1].length; // the `]` before `(`
    if (touchesUntrusted(m, close, match.index + match[0].length)) {
      insert(m, close + 1, ' ');
      // A link may start inside the one just broken: look again from there.
      re.lastIndex = close + 1;
    }
  }
}

/**
 * Neutralises every codicon an untrusted value wrote any part of: with VS Code's escape (a
 * backslash before it, which also keeps a stored backslash visible), or — where the text is
 * also shown somewhere that has no escape — with a space after the `$`.
 */
function breakIcons(m: Marked, how: 'escape' | 'space'): void {
  const re = new RegExp(ICON_PATTERN.source, 'g');
  let match: RegExpExecArray | null;
  while ((match = re.exec(m.text))) {
    const end = match.index + match[0].length;
    if (!touchesUntrusted(m, match.index, end)) {
      continue;
    }
    const dollar = match.index + (match[1] ? 1 : 0);
    if (how === 'escape') {
      insert(m, match.index, '\\');
      re.lastIndex = end + 1;
    } else {
      insert(m, dollar + 1, ' ');
      re.lastIndex = dollar + 1;
    }
  }
}

type Surface = { links: boolean; icons?: 'escape' | 'space'; max: number };

/** A tagged template: literals are the extension's own text, values are untrusted. */
function template(surface: Surface) {
  return (literals: TemplateStringsArray, ...values: unknown[]): string => {
    const m: Marked = { text: '', trusted: [] };
    literals.forEach((literal, i) => {
      m.text += literal;
      m.trusted.push(...marks(literal, true));
      if (i < values.length) {
        const v = plain(values[i], surface.max);
        m.text += v;
        m.trusted.push(...marks(v, false));
      }
    });
    if (surface.links) {
      breakLinks(m);
    }
    if (surface.icons) {
      breakIcons(m, surface.icons);
    }
    return m.text;
  };
}

/**
 * A notification or a modal dialog's text (`show*Message`): `message\`Snapkeeper: ${name} failed.\``.
 * Untrusted values cannot form links.
 */
export const message = template({ links: true, max: MESSAGE_VALUE_MAX });

/**
 * The title of a progress shown as a notification: it is shown as a notification (links, no
 * escape) and, while the notification is hidden, in the status bar (codicons). Both are broken
 * by a space, since no escape reads right on both.
 */
export const progress = template({ links: true, icons: 'space', max: MESSAGE_VALUE_MAX });

/**
 * Status-bar text and window progress titles: codicons escaped; links broken too (the status bar
 * does not make links today; a title must not become one if that changes).
 */
export const status = template({ links: true, icons: 'escape', max: MESSAGE_VALUE_MAX });

/** An input box's prompt or validation message: links broken, codicons escaped. */
export const prompt = template({ links: true, icons: 'escape', max: MESSAGE_VALUE_MAX });

/** A quick pick's label, description or detail (untrusted as a whole): codicons escaped. */
export function pickText(text: string): string;
export function pickText(text: string | undefined): string | undefined;
export function pickText(text: string | undefined): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  const m: Marked = { text: plain(text, PICK_MAX), trusted: [] };
  breakIcons(m, 'escape');
  return m.text;
}

/** Plain text that the editor does not interpret (a quick pick's title, a tree label): visible and cut. */
export function plainText(text: string, max = PICK_MAX): string {
  return plain(text, max);
}

/**
 * A modal dialog's message or detail (shown as plain text). The message is one line; a detail
 * (`lines`) is written by an adapter around untrusted names, so its line breaks stay and every
 * other hidden character is shown. Each line is cut to TOOLTIP_VALUE_MAX characters.
 */
export function dialogText(text: string, lines = false): string {
  return lines
    ? text
        .split('\n')
        .map((line) => plain(line, TOOLTIP_VALUE_MAX))
        .join('\n')
    : plain(text, TOOLTIP_VALUE_MAX);
}

// --- Markdown -----------------------------------------------------------------------------------

/**
 * Untrusted text as Markdown source (for `MarkdownString.appendMarkdown`) that renders as exactly
 * that text: every ASCII punctuation character as a numeric character reference (`&#91;`), so
 * nothing is syntax, HTML or an autolink and no backslash shows; spaces stay spaces (the line
 * wraps between words; a run keeps its width with `&nbsp;`); hidden characters visible; cut to
 * `max` with its length.
 */
export function markdownText(text: string, max = TOOLTIP_VALUE_MAX): string {
  return plain(text, max)
    .replace(/[!-/:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/ {2,}/g, (run) => ` ${'&nbsp;'.repeat(run.length - 1)}`)
    .replace(/^ /, '&nbsp;');
}

// --- the log ------------------------------------------------------------------------------------

/** One log entry as one line: hidden characters visible, at most LOG_MAX characters. */
export function logLine(text: string): string {
  return visible(shorten(text, LOG_MAX));
}
