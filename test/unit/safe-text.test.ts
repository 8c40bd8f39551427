// The escaping layer (src/ui/safeText.ts) against the fifty hostile names, per surface, checked
// with VS Code 1.139's own parsing rules, re-implemented here from its source
// (src/vs/base/common/linkedText.ts, src/vs/base/browser/iconLabels.ts, the notification model)
// and checked against the shipped workbench: the real thing is exercised by the extension-host
// suite (test/exthost/hostile.spec.ts) and the browser test.
import assert from 'node:assert/strict';
import {
  dialogText,
  LOG_MAX,
  logLine,
  markdownText,
  message,
  MESSAGE_VALUE_MAX,
  pickText,
  PICK_MAX,
  progress,
  prompt,
  shorten,
  status,
  TOOLTIP_VALUE_MAX,
  visible,
} from '../../src/ui/safeText';
import { HIDDEN_CHARACTERS, HOSTILE_NAMES } from '../fixtures/hostile-names';

// --- VS Code's rules --------------------------------------------------------------------------------

type Linked = (string | { label: string; href: string })[];

/** `parseLinkedText` (the same pattern VS Code 1.139 ships). */
function parseLinkedText(text: string): Linked {
  const re = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  const out: Linked = [];
  let index = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > index) {
      out.push(text.slice(index, m.index));
    }
    out.push({ label: m[1], href: m[2] });
    index = m.index + m[0].length;
  }
  if (index < text.length) {
    out.push(text.slice(index));
  }
  return out;
}

/** What a notification shows: cut at 1000 characters, newlines as spaces, trimmed, then links. */
function notification(text: string): Linked {
  const cut = text.length > 1000 ? `${text.slice(0, 1000)}...` : text;
  return parseLinkedText(cut.replace(/(\r\n|\n|\r)/gm, ' ').trim());
}

type Rendered = (string | { icon: string })[];

/** `renderLabelWithIcons`: `$(name)` becomes a codicon, `\$(name)` the text `$(name)`. */
function renderLabelWithIcons(text: string): Rendered {
  const re = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;
  const out: Rendered = [];
  let index = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > index) {
      out.push(text.slice(index, m.index));
    }
    out.push(m[1] ? `$(${m[2]})` : { icon: m[2] });
    index = m.index + m[0].length;
  }
  if (index < text.length) {
    out.push(text.slice(index));
  }
  return out;
}

const links = (nodes: Linked) => nodes.filter((n) => typeof n !== 'string');
const icons = (nodes: Rendered) => nodes.filter((n) => typeof n !== 'string');
const textOf = (nodes: (string | { label: string })[]) => nodes.map((n) => (typeof n === 'string' ? n : n.label)).join('');
const iconText = (nodes: Rendered) => nodes.map((n) => (typeof n === 'string' ? n : `<icon ${n.icon}>`)).join('');

/** True when `actual` is `expected` with single spaces inserted (how links and icons are broken). */
function withInsertedSpaces(actual: string, expected: string): boolean {
  let j = 0;
  for (let i = 0; i < actual.length; i++) {
    if (j < expected.length && actual[i] === expected[j]) {
      j++;
    } else if (actual[i] !== ' ') {
      return false;
    }
  }
  return j === expected.length;
}

/** The untrusted text as a person should read it: hidden characters shown, cut with its length. */
const readable = (text: string, max: number) => visible(shorten(text, max));


// --- the tests ----------------------------------------------------------------------------------------

describe('safeText: the escaping layer, against 50 hostile names', () => {
  it('the fixture holds 50 different names, among them links, codicons, controls, bidi marks and a 10 KB string', () => {
    assert.equal(HOSTILE_NAMES.length, 50);
    assert.equal(new Set(HOSTILE_NAMES.map((h) => h.text)).size, 50);
    const all = HOSTILE_NAMES.map((h) => h.text);
    assert.ok(all.some((t) => links(parseLinkedText(t)).some((l) => typeof l !== 'string' && l.href.startsWith('command:'))));
    assert.ok(all.some((t) => icons(renderLabelWithIcons(t)).length > 0));
    assert.ok(all.some((t) => t.includes('\u202E')) && all.some((t) => t.includes('\u001b[')) && all.some((t) => t.includes('\n')));
    assert.ok(all.some((t) => t.length >= 10 * 1024));
  });

  for (const { why, text } of HOSTILE_NAMES) {
    describe(why, () => {
      it('notification: no link, and it reads as the name (with at most a space where a link was)', () => {
        const shown = notification(message`Snapkeeper: Create Snapshot of ${text} failed: ${text}`);
        assert.deepEqual(links(shown), [], JSON.stringify(shown));
        const expected = `Snapkeeper: Create Snapshot of ${readable(text, MESSAGE_VALUE_MAX)} failed: ${readable(text, MESSAGE_VALUE_MAX)}`;
        assert.ok(expected.length < 1000, 'our own text would be cut');
        assert.ok(withInsertedSpaces(textOf(shown), expected.trim()), `${textOf(shown)}\n≠ ${expected}`);
      });

      it('notification progress: no link in the notification, no codicon in the status bar', () => {
        const title = progress`Create Snapshot: ${text}…`;
        const shown = notification(title);
        assert.deepEqual(links(shown), []);
        // Hidden, the notification's title goes to the status bar as its linked text's string.
        assert.deepEqual(icons(renderLabelWithIcons(textOf(shown))), []);
        assert.ok(withInsertedSpaces(title, `Create Snapshot: ${readable(text, MESSAGE_VALUE_MAX)}…`));
      });

      it('window progress / status bar: no codicon and no link, and it reads as the name', () => {
        const title = status`$(sync~spin) Listing ${text}…`;
        const rendered = renderLabelWithIcons(title);
        assert.deepEqual(icons(rendered), [{ icon: 'sync~spin' }], 'our own codicon is kept, theirs is not');
        assert.deepEqual(links(parseLinkedText(title)), []);
        assert.ok(withInsertedSpaces(iconText(rendered), `<icon sync~spin> Listing ${readable(text, MESSAGE_VALUE_MAX)}…`));
      });

      it('quick pick label, description and detail: no codicon, and it reads exactly as the name', () => {
        const rendered = renderLabelWithIcons(pickText(text));
        assert.deepEqual(icons(rendered), []);
        assert.equal(iconText(rendered), readable(text, PICK_MAX));
      });

      it('input-box prompt: no link and no codicon, and it reads as the name', () => {
        const nodes = parseLinkedText(prompt`Restore ${text} to a new disk`);
        assert.deepEqual(links(nodes), []);
        const rendered = nodes.flatMap((n) => (typeof n === 'string' ? renderLabelWithIcons(n) : [n.label]));
        assert.deepEqual(icons(rendered), []);
        assert.ok(withInsertedSpaces(iconText(rendered), `Restore ${readable(text, MESSAGE_VALUE_MAX)} to a new disk`));
      });

      it('tooltip Markdown: no ASCII punctuation but as character references, one line, words still break', () => {
        const md = markdownText(text);
        const withoutReferences = md.replace(/&#\d+;|&nbsp;/g, '');
        assert.doesNotMatch(withoutReferences, /[!-/:-@[-`{-~]/, 'Markdown syntax, HTML or an autolink could form');
        assert.doesNotMatch(md, /[\r\n]/);
        assert.doesNotMatch(md, HIDDEN_CHARACTERS);
        const decoded = md.replace(/&nbsp;/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        assert.equal(decoded.replace(/\u00A0/g, ' '), readable(text, TOOLTIP_VALUE_MAX).replace(/\u00A0/g, ' '));
        // Every space after a word stays a break opportunity (VS Code's appendText makes each one &nbsp;).
        const breaks = (readable(text, TOOLTIP_VALUE_MAX).match(/(?<=[^ ]) /g) ?? []).length;
        assert.equal((md.match(/ /g) ?? []).length, breaks);
      });

      it('log: one line, no hidden character, at most LOG_MAX characters plus the length note', () => {
        const line = logLine(`Tracking: Create Snapshot (snapshot snap-1 of ${text})`);
        assert.doesNotMatch(line, /[\r\n\u2028\u2029\u0085]/);
        assert.doesNotMatch(line, HIDDEN_CHARACTERS);
        assert.ok(line.length <= LOG_MAX + 40, `${line.length} characters`);
      });

      it('modal dialog: the message is one line; the detail keeps its line breaks and shows every other hidden character', () => {
        const title = dialogText(`Delete ${text}?`);
        assert.doesNotMatch(title, HIDDEN_CHARACTERS);
        assert.equal(title, readable(`Delete ${text}?`, TOOLTIP_VALUE_MAX));
        const detail = dialogText(`${text}\nThe blocks only it holds are freed.`, true);
        assert.doesNotMatch(detail.replace(/\n/g, ''), HIDDEN_CHARACTERS);
        assert.ok(detail.endsWith('\nThe blocks only it holds are freed.'));
      });
    });
  }

  it('the extension’s own links and codicons keep working; an untrusted label inside our own link stays a label', () => {
    const shown = notification(message`[Show Log](command:snapkeeper.showLog) for ${'[Retry](command:workbench.action.quit)'}`);
    assert.deepEqual(links(shown), [{ label: 'Show Log', href: 'command:snapkeeper.showLog' }]);
    const ours = notification(message`Open [${'web-1 $(alert)'}](command:snapkeeper.openChain)`);
    assert.deepEqual(links(ours), [{ label: 'web-1 $(alert)', href: 'command:snapkeeper.openChain' }]);
    assert.deepEqual(icons(renderLabelWithIcons(prompt`$(key) Sign in to ${'$(alert)'}`)), [{ icon: 'key' }]);
  });

  it('a link completed by the text around a value is broken too', () => {
    const shown = notification(message`Snapkeeper: ${'[Retry](command:workbench.action.quit'}) failed`);
    assert.deepEqual(links(shown), []);
  });

  it('visible: controls, ANSI, bidi and invisible characters as escapes; emoji sequences and scripts untouched', () => {
    assert.equal(visible('a\nb\r\tc\u001b[0m\u202Ed\u200Be\u{E0041}'), 'a\\nb\\r\\tc\\x1B[0m\\u202Ed\\u200Be\\u{E0041}');
    const unicode = 'Ñandú 日本語 Ελληνικά עברית 👨‍👩‍👧 café';
    assert.equal(visible(unicode), unicode);
    assert.equal(pickText(unicode), unicode);
    assert.equal(message`${unicode}`, unicode);
  });

  it('shorten: start and end kept with the full length, no surrogate pair split', () => {
    const long = `${'x'.repeat(5000)}😀${'y'.repeat(5000)}`;
    const short = shorten(long, 300);
    assert.match(short, /^x+…\[10002 characters\]…y+$/);
    assert.ok(short.length < 340);
    const emoji = '😀'.repeat(200);
    assert.doesNotMatch(shorten(emoji, 101), /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('markdownText keeps a run of spaces wide and the text breakable', () => {
    assert.equal(markdownText('a  b c'), 'a &nbsp;b c');
    assert.equal(markdownText('https://x.example/a-b'), 'https&#58;&#47;&#47;x&#46;example&#47;a&#45;b');
  });
});
