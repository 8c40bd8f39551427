// A scripted Prompter for the extension-host suite: it answers every question the extension asks
// (fields, quick picks, confirmations) from a script a test sets, the way a person would type or
// click, and records what was asked. Nothing is skipped: a question the script does not answer
// is a problem the test reports (and the prompt is cancelled, as Escape would).
import { isAsked, validateField } from '../../src/core/fields';
import { tagsProblem } from '../../src/model/answers';
import type { Confirmation, Field, FieldValue, FieldValues, Tag } from '../../src/model/types';
import type { Choice, Prompter } from '../../src/ui/prompter';

/** Answer a field with the value the input box / quick pick proposes (the person presses Enter). */
export const ENTER = Symbol('enter');

/**
 * What a person answers. Text, number and tags fields take what is typed (validated as the input
 * box validates it); pick fields take the value of the option picked; boolean fields take
 * true (the "yes" item) or false (the "no" item).
 */
export type FieldAnswer = string | boolean | Tag[] | typeof ENTER;

export interface Script {
  /** Field id → answer. Every field asked must be answered here. */
  fields?: Record<string, FieldAnswer>;
  /** Quick picks (`choose`), in order: the label of the item to pick. */
  picks?: string[];
  /** Multi-select picks (`chooseMany`), in order: the labels to tick (replacing the pre-ticked ones). */
  multiPicks?: string[][];
  /** Confirmations, in order: true presses the button, false cancels. */
  confirms?: boolean[];
}

export type Interaction =
  | { type: 'ask'; title: string; fields: Field[]; values?: FieldValues }
  | { type: 'choose'; title: string; placeholder: string; labels: string[]; descriptions: (string | undefined)[]; picked?: string }
  | { type: 'chooseMany'; title: string; placeholder: string; labels: string[]; preTicked: string[]; picked?: string[] }
  | { type: 'confirm'; confirmation: Confirmation; pressed: boolean };

export class ScriptedPrompter implements Prompter {
  /** Everything asked since the last `expect`. */
  interactions: Interaction[] = [];
  /** Questions the script could not answer, answers it did not need, invalid answers. */
  problems: string[] = [];
  private fields: Record<string, FieldAnswer> = {};
  private usedFields = new Set<string>();
  private picks: string[] = [];
  private multiPicks: string[][] = [];
  private confirms: boolean[] = [];

  /** Sets the answers for the next command; forgets what was asked before. */
  expect(script: Script = {}): this {
    this.fields = { ...(script.fields ?? {}) };
    this.usedFields.clear();
    this.picks = [...(script.picks ?? [])];
    this.multiPicks = (script.multiPicks ?? []).map((m) => [...m]);
    this.confirms = [...(script.confirms ?? [])];
    this.interactions = [];
    this.problems = [];
    return this;
  }

  get asked(): Extract<Interaction, { type: 'ask' }>[] {
    return this.interactions.filter((i): i is Extract<Interaction, { type: 'ask' }> => i.type === 'ask');
  }

  get chosen(): Extract<Interaction, { type: 'choose' }>[] {
    return this.interactions.filter((i): i is Extract<Interaction, { type: 'choose' }> => i.type === 'choose');
  }

  get confirmations(): Extract<Interaction, { type: 'confirm' }>[] {
    return this.interactions.filter((i): i is Extract<Interaction, { type: 'confirm' }> => i.type === 'confirm');
  }

  /** Problems, plus scripted answers that were never asked for. */
  leftovers(): string[] {
    const out = [...this.problems];
    for (const id of Object.keys(this.fields)) {
      if (!this.usedFields.has(id)) {
        out.push(`field "${id}" was scripted but never asked`);
      }
    }
    if (this.picks.length) {
      out.push(`quick picks scripted but never shown: ${this.picks.join(', ')}`);
    }
    if (this.multiPicks.length) {
      out.push(`${this.multiPicks.length} multi-select pick(s) scripted but never shown`);
    }
    if (this.confirms.length) {
      out.push(`${this.confirms.length} confirmation(s) scripted but never asked`);
    }
    return out;
  }

  async ask(title: string, fields: Field[]): Promise<FieldValues | undefined> {
    const entry: Interaction = { type: 'ask', title, fields };
    this.interactions.push(entry);
    const values: FieldValues = {};
    for (const field of fields) {
      if (!isAsked(field, values)) {
        continue;
      }
      if (!(field.id in this.fields)) {
        this.problems.push(`no answer scripted for field "${field.id}" (${field.kind}: ${field.title}) of "${title}"`);
        return undefined;
      }
      this.usedFields.add(field.id);
      const v = this.answer(title, field, this.fields[field.id], values);
      if (v === undefined) {
        return undefined;
      }
      values[field.id] = v;
    }
    entry.values = values;
    return values;
  }

  private answer(title: string, field: Field, given: FieldAnswer, earlier: FieldValues): FieldValue | undefined {
    const bad = (why: string): undefined => {
      this.problems.push(`field "${field.id}" of "${title}": ${why}`);
      return undefined;
    };
    switch (field.kind) {
      case 'tags': {
        // The tag editor's result: the list as edited (each tag kept exactly), or ENTER for "Done" at once.
        const tags = given === ENTER ? (field.default ?? []) : given;
        if (!Array.isArray(tags)) {
          return bad(`a tags field takes a list of { key, value } (the tag editor), not ${JSON.stringify(given)}`);
        }
        const invalid = tagsProblem(tags, field.rules);
        if (invalid) {
          return bad(`the tag editor would refuse ${JSON.stringify(tags)}: ${invalid}`);
        }
        return tags.map((t) => ({ key: t.key, value: t.value }));
      }
      case 'text':
      case 'number': {
        let text: string;
        if (given === ENTER) {
          text = field.kind === 'number' ? (field.default !== undefined ? String(field.default) : '') : (field.default ?? '');
        } else if (typeof given === 'string') {
          text = given;
        } else {
          return bad(`a ${field.kind} field needs typed text, not ${String(given)}`);
        }
        // The input box would not accept an invalid answer.
        const invalid = validateField(field, text, earlier);
        if (invalid) {
          return bad(`"${text}" is refused by the input box: ${invalid}`);
        }
        return field.kind === 'number' ? Number(text) : text;
      }
      case 'pick': {
        const value = given === ENTER ? (field.default ?? field.options[0]?.value) : given;
        if (Array.isArray(value)) {
          return bad('a pick field takes the value of an option');
        }
        const option = field.options.find((o) => o.value === value);
        if (!option) {
          return bad(`"${String(value)}" is not offered (options: ${field.options.map((o) => o.value).join(', ')})`);
        }
        return option.value;
      }
      case 'boolean': {
        const value = given === ENTER ? field.default !== false : given;
        if (typeof value !== 'boolean') {
          return bad(`a boolean field needs true ("${field.yes}") or false ("${field.no}")`);
        }
        return value;
      }
    }
  }

  async choose<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T | undefined> {
    const labels = choices.map((c) => c.label);
    const entry: Interaction = { type: 'choose', title, placeholder, labels, descriptions: choices.map((c) => c.description) };
    this.interactions.push(entry);
    const want = this.picks.shift();
    if (want === undefined) {
      this.problems.push(`no quick pick scripted for "${title}" / "${placeholder}" (items: ${labels.join(', ')})`);
      return undefined;
    }
    const choice = choices.find((c) => c.label === want);
    if (!choice) {
      this.problems.push(`quick pick "${title}" / "${placeholder}" does not offer "${want}" (items: ${labels.join(', ')})`);
      return undefined;
    }
    entry.picked = want;
    return choice.value;
  }

  async chooseMany<T>(title: string, placeholder: string, choices: Choice<T>[]): Promise<T[] | undefined> {
    const labels = choices.map((c) => c.label);
    const preTicked = choices.filter((c) => c.picked).map((c) => c.label);
    const entry: Interaction = { type: 'chooseMany', title, placeholder, labels, preTicked };
    this.interactions.push(entry);
    const want = this.multiPicks.shift();
    if (want === undefined) {
      this.problems.push(`no multi-select pick scripted for "${title}" (items: ${labels.join(', ')})`);
      return undefined;
    }
    const missing = want.filter((w) => !labels.includes(w));
    if (missing.length) {
      this.problems.push(`multi-select "${title}" does not offer ${missing.join(', ')} (items: ${labels.join(', ')})`);
      return undefined;
    }
    entry.picked = want;
    return choices.filter((c) => want.includes(c.label)).map((c) => c.value);
  }

  async confirm(c: Confirmation): Promise<boolean> {
    const pressed = this.confirms.shift();
    this.interactions.push({ type: 'confirm', confirmation: c, pressed: pressed === true });
    if (pressed === undefined) {
      this.problems.push(`no answer scripted for the confirmation "${c.message}"`);
      return false;
    }
    return pressed;
  }
}
