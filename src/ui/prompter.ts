import * as vscode from 'vscode';
import { isAsked, validateField } from '../core/fields';
import { newKeyProblem, shownValue, tagLines, withoutTag, withTag } from '../core/tagEditor';
import type { Confirmation, Field, FieldValues, Tag } from '../model/types';
import { dialogText, pickText, plainText, prompt } from './safeText';

/** One item of a pick list. */
export interface Choice<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
  /** Pre-selected in a multi-select pick. */
  picked?: boolean;
}

/**
 * Every question the extension asks a person goes through a Prompter, so extension-host tests
 * can answer them (a scripted Prompter) instead of skipping them.
 */
export interface Prompter {
  /** Asks each field in turn (skipping those whose `askIf` is not met); undefined when the user cancels. */
  ask(title: string, fields: Field[]): Promise<FieldValues | undefined>;
  choose<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T | undefined>;
  /** A multi-select pick; undefined when cancelled (an empty array when nothing was ticked). */
  chooseMany<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T[] | undefined>;
  /** A modal confirmation; true only when the named button was pressed. */
  confirm(c: Confirmation): Promise<boolean>;
}

/** The Prompter people meet: input boxes, quick picks and modal dialogs. */
export class VscodePrompter implements Prompter {
  async ask(title: string, fields: Field[]): Promise<FieldValues | undefined> {
    const values: FieldValues = {};
    let asked = 0;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      if (!isAsked(field, values)) {
        continue;
      }
      // Steps count the questions this run asks: those already answered, this one, and the later
      // ones whose condition is met by the answers so far; of the undecided alternatives of one
      // question (the IOPS of each volume type) one is counted.
      const undecided = new Set<string>();
      const later = fields.slice(i + 1).filter((f) => {
        if (!f.askIf || !(f.askIf.field in values)) {
          const key = f.askIf ? `${f.askIf.field}:${f.id}` : `#${f.id}`;
          return undecided.has(key) ? false : (undecided.add(key), true);
        }
        return isAsked(f, values);
      }).length;
      const total = asked + 1 + later;
      asked++;
      const step = total > 1 ? ` (${asked}/${total})` : '';
      const v = await this.askOne(`${title}${step}`, field, values);
      if (v === undefined) {
        return undefined;
      }
      values[field.id] = v;
    }
    return values;
  }

  private async askOne(title: string, field: Field, earlier: FieldValues): Promise<FieldValues[string] | undefined> {
    switch (field.kind) {
      case 'tags':
        return this.editTags(title, field);
      case 'text':
      case 'number': {
        const def = field.kind === 'number' ? (field.default !== undefined ? String(field.default) : '') : (field.default ?? '');
        const text = await vscode.window.showInputBox({
          title: plainText(title),
          prompt: prompt`${field.prompt ?? field.title}`,
          placeHolder: field.kind === 'text' ? field.placeholder : undefined,
          value: def,
          // A secret (an API secret key, a password) is typed into a masked box.
          password: field.kind === 'text' && field.secret === true,
          ignoreFocusOut: true,
          validateInput: (t) => {
            const invalid = validateField(field, t, earlier);
            return invalid === undefined ? undefined : prompt`${invalid}`;
          },
        });
        if (text === undefined) {
          return undefined;
        }
        return field.kind === 'number' ? Number(text) : text;
      }
      case 'pick': {
        const items = field.options.map((o) => ({
          ...pickItem(o),
          value: o.value,
          picked: o.value === field.default,
        }));
        // The default goes first so Enter takes it.
        items.sort((a, b) => Number(b.picked) - Number(a.picked));
        const pick = await vscode.window.showQuickPick(items, { title: plainText(title), placeHolder: plainText(field.placeholder ?? field.title), ignoreFocusOut: true });
        return pick?.value;
      }
      case 'boolean': {
        const items = [
          { label: pickText(field.yes), value: true },
          { label: pickText(field.no), value: false },
        ];
        if (field.default === false) {
          items.reverse();
        }
        const pick = await vscode.window.showQuickPick(items, { title: plainText(title), placeHolder: plainText(field.title), ignoreFocusOut: true });
        return pick?.value;
      }
    }
  }

  async choose<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T | undefined> {
    const pick = await vscode.window.showQuickPick(choices.map(pickItem), {
      title: plainText(title),
      placeHolder: plainText(placeholder),
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    return pick?.value;
  }

  async chooseMany<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T[] | undefined> {
    const picks = await vscode.window.showQuickPick(choices.map(pickItem), {
      title: plainText(title),
      placeHolder: plainText(placeholder),
      canPickMany: true,
      matchOnDescription: true,
      ignoreFocusOut: true,
    });
    return picks?.map((p) => p.value);
  }

  async confirm(c: Confirmation): Promise<boolean> {
    // VS Code's modal dialog makes the first item its primary, focused button (Enter presses it)
    // and adds "Cancel" itself: the item that keeps things goes first, the destructive one second.
    const keep = { title: c.keep ?? 'Go Back' };
    const go = { title: c.button };
    const answer = await vscode.window.showWarningMessage(
      dialogText(c.message),
      { modal: true, detail: c.detail === undefined ? undefined : dialogText(c.detail, true) },
      keep,
      go,
    );
    return answer === go;
  }

  /**
   * The tag editor: a list (Done, Add, each tag) picked from until Done; a tag picked offers
   * "Change value" and "Remove". Keys and values are taken exactly as typed; the cloud's rules
   * refuse in the input box, saying why. Escape on the list cancels the whole action.
   */
  private async editTags(title: string, field: Extract<Field, { kind: 'tags' }>): Promise<Tag[] | undefined> {
    const rules = field.rules;
    let tags: Tag[] = [...(field.default ?? [])];
    for (;;) {
      // Tag keys and values come from the cloud: shown as text, never as codicons.
      const lines = tagLines(tags, rules).map((l) => ({ ...l, label: pickText(l.label), description: pickText(l.description), detail: pickText(l.detail) }));
      const line = await vscode.window.showQuickPick(lines, { title: plainText(title), placeHolder: plainText(field.prompt ?? field.title), ignoreFocusOut: true });
      if (!line) {
        return undefined;
      }
      const step = line.step;
      if (step.step === 'done') {
        return tags;
      }
      if (step.step === 'add') {
        const key = await vscode.window.showInputBox({
          title: plainText(title),
          prompt: `Key of the new ${rules.noun} (kept exactly as typed)`,
          placeHolder: `${rules.noun} key`,
          ignoreFocusOut: true,
          validateInput: (k) => {
            const why = newKeyProblem(tags, k, rules);
            return why === undefined ? undefined : prompt`${why}`;
          },
        });
        if (key === undefined) {
          continue;
        }
        const value = await this.askValue(title, key, '', rules);
        if (value !== undefined) {
          tags = withTag(tags, key, value, rules);
        }
        continue;
      }
      const tag = tags.find((t) => t.key === step.key);
      if (!tag) {
        continue;
      }
      const choice = await vscode.window.showQuickPick(
        [
          { label: 'Change value', description: pickText(shownValue(tag.value)), act: 'value' as const },
          { label: pickText(`Remove ${rules.noun} "${tag.key}"`), act: 'remove' as const },
          { label: 'Back to the list', act: 'back' as const },
        ],
        { title: plainText(title), placeHolder: plainText(`${rules.noun} "${tag.key}"`), ignoreFocusOut: true },
      );
      if (choice?.act === 'remove') {
        tags = withoutTag(tags, tag.key);
      } else if (choice?.act === 'value') {
        const value = await this.askValue(title, tag.key, tag.value, rules);
        if (value !== undefined) {
          tags = withTag(tags, tag.key, value, rules);
        }
      }
    }
  }

  private askValue(title: string, key: string, value: string, rules: Extract<Field, { kind: 'tags' }>['rules']): Thenable<string | undefined> {
    return vscode.window.showInputBox({
      title: plainText(title),
      prompt: prompt`Value of ${rules.noun} "${key}" (kept exactly as typed: commas, =, spaces and quotes included; may be empty)`,
      placeHolder: `${rules.noun} value`,
      value,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const why = rules.checkValue(v, key);
        return why === undefined ? undefined : prompt`${why}`;
      },
    });
  }
}

/**
 * A choice as a quick-pick item: label, description and detail through the escaping layer
 * (names and descriptions come from the cloud; quick picks render `$(icon)`), the rest as is.
 */
function pickItem<C extends { label: string; description?: string; detail?: string }>(c: C): C {
  return { ...c, label: pickText(c.label), description: pickText(c.description), detail: pickText(c.detail) };
}
