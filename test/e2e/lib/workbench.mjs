// Helpers that drive the VS Code workbench (code-server) through Playwright the way a person
// does: the side-bar tree, context menus, the command palette, quick picks and input boxes,
// notification toasts, the status bar and tree tooltips. Selectors and waits follow
// shared/design/harness.md and scripts/harness/README.md.
//
// Every wait is for a visible state of the workbench (a row, a title, a toast), never a sleep,
// and nothing is clicked twice unless the first click demonstrably did not land (a context menu
// still open after its item was clicked).
/* global document, getComputedStyle -- used only in functions that run in the page */

export const TIMEOUT = { workbench: 90_000, ui: 15_000, load: 60_000, operation: 60_000 };

/** Collapses whitespace: the text a person reads. */
export const clean = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/** Escapes text for a RegExp. */
export const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  // --- side-bar tree -------------------------------------------------------------------------

  sidebar() {
    return this.page.locator('.part.sidebar');
  }

  /** Tree rows at a depth (1 = accounts). Rows outside the viewport are not in the DOM. */
  rowsAt(level) {
    return this.sidebar().locator(`.monaco-list-row[role="treeitem"][aria-level="${level}"]`);
  }

  /** The row at `level` whose label is exactly `label` (a string) or matches it (a RegExp). */
  row(level, label) {
    const name = this.page.locator('.label-name');
    return this.rowsAt(level)
      .filter({ has: typeof label === 'string' ? name.getByText(label, { exact: true }) : name.filter({ hasText: label }) })
      .first();
  }

  async labelOf(row) {
    return clean(await row.locator('.label-name').first().innerText());
  }

  async descriptionOf(row) {
    const d = row.locator('.label-description');
    return (await d.count()) ? clean(await d.first().innerText({ timeout: 2_000 })) : '';
  }

  /**
   * Polls `fn` until it returns something truthy (errors count as "not yet": a row re-rendered
   * between two reads). A wait for a visible state, not a retry of an action.
   */
  async poll(fn, { timeout = TIMEOUT.ui, what = 'a condition' } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
        last = undefined;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (${String(last.message).split('\n')[0]})` : ''}`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  /** Waits until the row's description matches `re`; returns it. */
  async waitDescription(row, re, timeout = TIMEOUT.ui) {
    let last = '';
    return this.poll(
      async () => {
        last = await this.descriptionOf(row);
        return re.test(last) ? last : undefined;
      },
      { timeout, what: `a row description matching ${re} (last: "${last}") on ${row}` },
    );
  }

  /**
   * Brings the row into the DOM and the viewport. The tree renders only the rows in view, so a row
   * below (or above) is reached by scrolling the list with the mouse wheel, as a person would.
   */
  async reveal(row, timeout = TIMEOUT.ui) {
    const deadline = Date.now() + timeout;
    const list = this.sidebar().locator('.monaco-list').first();
    let direction = 1;
    let lastTop = -1;
    for (;;) {
      if (await row.count()) {
        // The tree redraws as regions load and operations end: the row may be replaced meanwhile.
        try {
          await row.scrollIntoViewIfNeeded({ timeout: 2_000 });
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          continue;
        }
      }
      if (Date.now() > deadline) throw new Error(`tree row not found (scrolled the tree both ways): ${row}`);
      const box = await list.boundingBox();
      if (!box) throw new Error('the tree is not showing');
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, direction * 300);
      const top = await this.scrollTop();
      if (top === lastTop) {
        // An end of the list: turn round; the row may also simply not be drawn yet.
        direction = -direction;
        await this.page.waitForTimeout(100);
      }
      lastTop = top;
    }
    await this.page.mouse.move(5, 500);
    return row;
  }

  async scrollTop() {
    return this.page.evaluate(() => {
      const el = document.querySelector('.part.sidebar .monaco-list .monaco-scrollable-element .monaco-list-rows');
      return el ? Number(getComputedStyle(el).top.replace('px', '')) : 0;
    });
  }

  async isExpandable(row) {
    return (await row.getAttribute('aria-expanded', { timeout: 2_000 })) !== null;
  }

  /** Expands a collapsed row (a click toggles it) and waits until it says it is expanded. */
  async expand(row) {
    await this.reveal(row);
    const state = await row.getAttribute('aria-expanded');
    if (state === null) throw new Error(`${await this.labelOf(row)} cannot be expanded (it has no children)`);
    if (state !== 'true') await row.click();
    await this.poll(async () => (await row.getAttribute('aria-expanded', { timeout: 1_000 })) === 'true', {
      what: `${row} to be expanded`,
    });
  }

  /** Collapses an expanded row. */
  async collapse(row) {
    await this.reveal(row);
    if ((await row.getAttribute('aria-expanded')) === 'true') await row.click();
    await this.poll(async () => (await row.getAttribute('aria-expanded', { timeout: 1_000 })) !== 'true', {
      what: `${row} to be collapsed`,
    });
  }

  /**
   * The drawn rows directly under `row` (one level deeper, until the next row at its level or
   * above): [{ label, description, expandable }].
   */
  async childrenOf(row) {
    const index = Number(await row.getAttribute('data-index'));
    const level = Number(await row.getAttribute('aria-level'));
    return this.page.evaluate(
      ({ index, level }) => {
        const rows = [...document.querySelectorAll('.part.sidebar .monaco-list-row[role="treeitem"]')]
          .map((r) => ({
            i: Number(r.getAttribute('data-index')),
            level: Number(r.getAttribute('aria-level')),
            label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
            description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
            expandable: r.getAttribute('aria-expanded') !== null,
          }))
          .sort((a, b) => a.i - b.i);
        const out = [];
        for (const r of rows) {
          if (r.i <= index) continue;
          if (r.level <= level) break;
          if (r.level === level + 1) out.push({ label: r.label, description: r.description, expandable: r.expandable });
        }
        return out;
      },
      { index, level },
    );
  }

  /** Waits until no drawn row at `level` (or anywhere, without one) says "Loading…". */
  async waitNotLoading(level) {
    await this.page.waitForFunction(
      (lvl) =>
        ![...document.querySelectorAll(`.part.sidebar .monaco-list-row${lvl ? `[aria-level="${lvl}"]` : ''}`)].some((r) =>
          /Loading…|loading…/.test(r.textContent ?? ''),
        ),
      level,
      { timeout: TIMEOUT.load },
    );
  }

  /**
   * Waits until the tree's drawn rows (labels, descriptions, expansion) stay the same for
   * `quietMs`: after a Refresh the regions redraw one after another for a while, and the list
   * recycles row elements, so a click during a redraw can land on another item.
   */
  async waitTreeStable(quietMs = 600) {
    const snapshot = () =>
      this.page.evaluate(() =>
        [...document.querySelectorAll('.part.sidebar .monaco-list-row')]
          .map((r) => `${r.getAttribute('aria-level')}|${r.getAttribute('aria-expanded')}|${r.textContent}`)
          .join('\n'),
      );
    let last = await snapshot();
    let since = Date.now();
    await this.poll(
      async () => {
        const now = await snapshot();
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        return Date.now() - since >= quietMs;
      },
      { timeout: TIMEOUT.load, what: 'the tree to stop redrawing' },
    );
  }

  /** Drags the side bar's edge so long descriptions stay readable in screenshots. */
  async widenSidebar(width) {
    const sash = this.page.locator('.monaco-sash.primary-sidebar-sash');
    const box = await sash.boundingBox().catch(() => null);
    const side = await this.sidebar().boundingBox();
    if (!box || !side || side.width >= width) return;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + (width - side.width), y, { steps: 8 });
    await this.page.mouse.up();
    await this.page.mouse.move(5, 500);
  }

  // --- context menus -------------------------------------------------------------------------

  menu() {
    return this.page.locator('.context-view .monaco-menu');
  }

  /**
   * Right-clicks `row` and waits for its context menu. A right-click that opened no menu is
   * repeated (nothing ran). Returns the menu's item texts.
   */
  async openContextMenu(row) {
    await this.reveal(row);
    for (let attempt = 0; ; attempt++) {
      await row.click({ button: 'right' });
      try {
        await this.menu().waitFor({ timeout: attempt < 2 ? 3_000 : TIMEOUT.ui });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
      }
    }
    return (await this.menu().getByRole('menuitem').allInnerTexts()).map(clean).filter(Boolean);
  }

  /**
   * Clicks a context-menu item. About 1 click in 16 is dropped while the menu opens: click again
   * only while the menu is still visible, so the command can never run twice.
   */
  async clickMenuItem(name, { before } = {}) {
    const item = this.menu().getByRole('menuitem', { name });
    await item.first().waitFor({ timeout: TIMEOUT.ui });
    if (before) await before();
    for (let attempt = 0; ; attempt++) {
      // The menu may have closed between the check and the click: then the first click landed.
      try {
        await item.first().click({ timeout: 2_000 });
      } catch (e) {
        if (!(await this.menu().isVisible())) break;
        if (attempt >= 3) throw e;
        continue;
      }
      try {
        await this.menu().waitFor({ state: 'hidden', timeout: 2_000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw new Error(`the context menu stayed open after ${attempt + 1} clicks on "${name}"`, { cause: e });
      }
    }
  }

  /** Right-click → item, in one. Returns the menu's items (as seen before the click). */
  async contextCommand(row, name, opts) {
    const items = await this.openContextMenu(row);
    await this.clickMenuItem(name, opts);
    return items;
  }

  async closeMenu() {
    if (await this.menu().isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.menu().waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
    }
  }

  // --- quick input (palette, quick picks, input boxes) ---------------------------------------

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  quickInputBox() {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /**
   * Waits until the quick input shows the step described by `title` (matched against the title
   * bar) and/or `placeholder` (the input's placeholder). Returns what it shows.
   */
  async waitQuickInput({ title, placeholder }, timeout = TIMEOUT.ui) {
    await this.page.waitForFunction(
      ({ title, placeholder }) => {
        const w = document.querySelector('.quick-input-widget');
        if (!w || w.style.display === 'none' || !w.offsetParent) return false;
        const t = (w.querySelector('.quick-input-title')?.textContent ?? '').trim();
        const input = w.querySelector('.quick-input-box input');
        const p = input?.getAttribute('placeholder') ?? input?.getAttribute('aria-label') ?? '';
        return (!title || new RegExp(title).test(t)) && (!placeholder || new RegExp(placeholder).test(p));
      },
      { title: title?.source, placeholder: placeholder?.source },
      { timeout },
    );
    return this.quickInputState();
  }

  async quickInputState() {
    return this.page.evaluate(() => {
      const w = document.querySelector('.quick-input-widget');
      const input = w?.querySelector('.quick-input-box input');
      return {
        title: (w?.querySelector('.quick-input-title')?.textContent ?? '').trim(),
        placeholder: input?.getAttribute('placeholder') ?? '',
        value: input?.value ?? '',
        message: (w?.querySelector('.quick-input-message')?.textContent ?? '').trim(),
      };
    });
  }

  /** Rows of the open quick pick: [{ label, description }]. */
  async quickPickRows() {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const out = [];
    for (const r of await rows.all()) {
      out.push({
        label: clean(await r.locator('.label-name').first().innerText().catch(() => '')),
        description: clean(await r.locator('.label-description').first().innerText().catch(() => '')),
      });
    }
    return out;
  }

  /** The quick-pick row whose label is exactly `label`. */
  quickPickRow(label) {
    return this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name').getByText(label, { exact: true }) })
      .first();
  }

  /**
   * Answers the quick pick showing `step`: optionally types `filter`, then clicks the row labelled
   * `label` (the exact one: Enter would take whichever fuzzy match is on top). `shot` is called
   * with the pick open, before the click.
   */
  async pick(step, label, { filter, shot } = {}) {
    await this.waitQuickInput(step);
    if (filter !== undefined) {
      // What a person sees first, then the list narrowed down by typing.
      if (shot) await shot('list');
      await this.quickInputBox().fill(filter);
    }
    const row = this.quickPickRow(label);
    await row.waitFor({ timeout: TIMEOUT.ui });
    if (shot) await shot(filter !== undefined ? 'filtered' : undefined);
    await row.click();
  }

  /**
   * Answers the input box showing `step` with `text` (replacing its default) and presses Enter.
   * Returns what the box showed before (title, prompt, default value).
   */
  async answer(step, text, { shot } = {}) {
    const before = await this.waitQuickInput(step);
    const box = this.quickInputBox();
    await box.fill(text);
    await this.page.waitForFunction(
      ({ text }) => document.querySelector('.quick-input-widget .quick-input-box input')?.value === text,
      { text },
      { timeout: TIMEOUT.ui },
    );
    if (shot) await shot();
    await box.press('Enter');
    return before;
  }

  /** Runs a command from the palette (F1) by its exact title, e.g. "Snapkeeper: Refresh". */
  async runCommand(title, { shot } = {}) {
    await this.page.keyboard.press('F1');
    await this.quickInputBox().waitFor({ timeout: TIMEOUT.ui });
    await this.quickInputBox().fill(`>${title}`);
    const row = this.quickPickRow(title);
    await row.waitFor({ timeout: TIMEOUT.ui });
    if (shot) await shot();
    await row.click();
  }

  async closeQuickInput() {
    for (let i = 0; i < 5 && (await this.quickInput().isVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await this.quickInput().waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => undefined);
    }
  }

  // --- notifications and status bar -----------------------------------------------------------

  /** Notification toasts whose message matches `text`. */
  toast(text, severity) {
    let t = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
    if (severity) t = t.filter({ has: this.page.locator(`.codicon-${severity}`) });
    return t.first();
  }

  /** Expands a collapsed toast (long messages without buttons show one truncated line). */
  async expandToast(toast) {
    // Its buttons show while the pointer is over it.
    await toast.hover();
    const toggle = toast.getByRole('button', { name: /Expand Notification/ });
    if (await toggle.count()) {
      await toggle.first().click();
      await toast.getByRole('button', { name: /Collapse Notification/ }).first().waitFor({ timeout: TIMEOUT.ui });
    }
  }

  async toastText(toast) {
    return clean(await toast.locator('.notification-list-item-message').first().innerText());
  }

  /** Texts of all toasts showing now (for error messages). */
  async toastTexts() {
    return (await this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts()).map(clean);
  }

  /** Closes every toast and clears the notification centre (command palette, as a person would). */
  async clearNotifications() {
    if (!(await this.page.locator('.notifications-toasts .notification-toast').count())) return;
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page
      .locator('.notifications-toasts .notification-toast')
      .first()
      .waitFor({ state: 'detached', timeout: TIMEOUT.ui })
      .catch(() => undefined);
  }

  statusItem(text) {
    return this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: text }).first();
  }

  // --- tooltips -------------------------------------------------------------------------------

  /**
   * Shows the tooltip of a tree row as a person reading it would, without waiting for the hover
   * delay (kept at 60 s so tooltips never cover the next row): focus the row, Ctrl+K Ctrl+I
   * (list.showHover). Returns its text, lines joined with "\n". `shot` is called while it shows.
   */
  async tooltipOf(row, { shot } = {}) {
    await this.reveal(row);
    await row.click();
    await this.page.mouse.move(5, 500);
    await this.poll(async () => /\bfocused\b/.test((await row.getAttribute('class', { timeout: 1_000 })) ?? ''), { what: `${row} to be focused` });
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+I');
    const hover = this.page.locator('.workbench-hover-container .monaco-hover:visible').first();
    await hover.waitFor({ timeout: TIMEOUT.ui });
    // Markdown tooltips built with appendText turn spaces into no-break spaces.
    const text = (await hover.innerText())
      .replace(/\u00a0/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n');
    if (shot) await shot();
    await this.page.keyboard.press('Escape');
    await hover.waitFor({ state: 'hidden', timeout: TIMEOUT.ui });
    return text;
  }

  // --- errors shown while waiting ---------------------------------------------------------------

  /**
   * Waits for `locator`, but fails at once with the text of an error notification that shows up
   * meanwhile (instead of running into the timeout with no explanation).
   */
  async waitOrError(locator, { timeout = TIMEOUT.load, state = 'visible' } = {}) {
    const errorToast = this.page.locator('.notifications-toasts .notification-toast').filter({ has: this.page.locator('.codicon-error') }).first();
    let stop = false;
    const which = await Promise.race([
      locator.waitFor({ timeout, state }).then(() => 'ok'),
      errorToast.waitFor({ timeout }).then(
        () => (stop ? new Promise(() => {}) : 'error'),
        () => new Promise(() => {}),
      ),
    ]).finally(() => {
      stop = true;
    });
    if (which === 'error') {
      throw new Error(`error notification: ${clean(await errorToast.innerText().catch(() => ''))}`);
    }
  }
}
