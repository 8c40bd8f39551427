import * as vscode from 'vscode';
import { parseTags, validateField } from '../core/fields';
import type { Confirmation, Field, FieldValues } from '../model/types';
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
  /** Asks each field in turn; undefined when the user cancels. */
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
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      const step = fields.length > 1 ? ` (${i + 1}/${fields.length})` : '';
      const v = await this.askOne(`${title}${step}`, field);
      if (v === undefined) {
        return undefined;
      }
      values[field.id] = v;
    }
    return values;
  }

  private async askOne(title: string, field: Field): Promise<FieldValues[string] | undefined> {
    switch (field.kind) {
      case 'text':
      case 'number':
      case 'tags': {
        const def =
          field.kind === 'number' ? (field.default !== undefined ? String(field.default) : '') : (field.default ?? '');
        const text = await vscode.window.showInputBox({
          title: plainText(title),
          prompt: prompt`${field.prompt ?? field.title}`,
          placeHolder: field.kind === 'text' ? field.placeholder : field.kind === 'tags' ? 'key=value, key2=value2' : undefined,
          value: def,
          ignoreFocusOut: true,
          validateInput: (t) => {
            const invalid = validateField(field, t);
            return invalid === undefined ? undefined : prompt`${invalid}`;
          },
        });
        if (text === undefined) {
          return undefined;
        }
        return field.kind === 'number' ? Number(text) : field.kind === 'tags' ? parseTags(text) : text;
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
    const answer = await vscode.window.showWarningMessage(dialogText(c.message), { modal: true, detail: c.detail === undefined ? undefined : dialogText(c.detail, true) }, c.button);
    return answer === c.button;
  }
}

/**
 * A choice as a quick-pick item: label, description and detail through the escaping layer
 * (names and descriptions come from the cloud; quick picks render `$(icon)`), the rest as is.
 */
function pickItem<C extends { label: string; description?: string; detail?: string }>(c: C): C {
  return { ...c, label: pickText(c.label), description: pickText(c.description), detail: pickText(c.detail) };
}
