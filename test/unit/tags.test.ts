import assert from 'node:assert/strict';
import { AWS_TAG_RULES } from '../../src/adapters/aws/tags';
import { AZURE_TAG_RULES, toArmTags } from '../../src/adapters/azure/names';
import { GCP_LABEL_RULES, toLabels } from '../../src/adapters/gcp/names';
import { newKeyProblem, tagLines, withoutTag, withTag } from '../../src/core/tagEditor';
import { tagsAnswer, tagsProblem } from '../../src/model/answers';

describe('tag editor', () => {
  it('lists Done first (Enter keeps the tags), then Add, then each tag with its exact value', () => {
    const lines = tagLines([{ key: 'Owners', value: 'alice,bob' }, { key: 'cost center', value: ' x ' }], AWS_TAG_RULES);
    assert.deepEqual(lines.map((l) => l.step.step), ['done', 'add', 'edit', 'edit']);
    assert.equal(lines[0].label, 'Done: keep these 2 tags');
    assert.equal(lines[2].label, 'Owners');
    assert.equal(lines[2].description, '= "alice,bob"');
    assert.equal(lines[3].description, '= " x "', 'spaces at either end show');
    assert.equal(tagLines([], GCP_LABEL_RULES)[0].label, 'Done: no labels');
  });

  it('adds, changes and removes one tag at a time, keeping values with commas, =, spaces and quotes', () => {
    let tags = withTag([], 'Owners', 'alice,bob', AWS_TAG_RULES);
    tags = withTag(tags, 'note', 'a=b "c" ', AWS_TAG_RULES);
    tags = withTag(tags, 'Owners', 'carol, dave', AWS_TAG_RULES);
    assert.deepEqual(tags, [
      { key: 'Owners', value: 'carol, dave' },
      { key: 'note', value: 'a=b "c" ' },
    ]);
    assert.deepEqual(withoutTag(tags, 'Owners'), [{ key: 'note', value: 'a=b "c" ' }]);
    assert.throws(() => withTag(tags, 'aws:x', '1', AWS_TAG_RULES), /reserved by AWS/);
  });

  it('refuses a key already there (case-insensitively where the cloud does) and offers no Add at the limit', () => {
    assert.match(newKeyProblem([{ key: 'Env', value: '' }], 'Env', AWS_TAG_RULES) ?? '', /already a tag "Env"/);
    assert.equal(newKeyProblem([{ key: 'Env', value: '' }], 'env', AWS_TAG_RULES), undefined, 'AWS keys are case-sensitive');
    assert.match(newKeyProblem([{ key: 'Env', value: '' }], 'env', AZURE_TAG_RULES) ?? '', /already a tag "Env"/);
    const full = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: '' }));
    assert.ok(!tagLines(full, AWS_TAG_RULES).some((l) => l.step.step === 'add'));
  });
});

describe('cloud tag rules', () => {
  it('AWS: commas, =, spaces and quotes are fine; length and the aws: prefix are refused with the reason', () => {
    assert.equal(tagsProblem([{ key: 'cost center', value: 'alice,bob = "x"' }], AWS_TAG_RULES), undefined);
    assert.match(AWS_TAG_RULES.checkKey('k'.repeat(129)) ?? '', /longer than 128/);
    assert.match(AWS_TAG_RULES.checkValue('v'.repeat(257), 'k') ?? '', /longer than 256/);
  });

  it('Azure: names without < > % & \\ ? /, case-insensitive; values kept exactly', () => {
    assert.match(AZURE_TAG_RULES.checkKey('a/b') ?? '', /does not allow "\/"/);
    assert.equal(AZURE_TAG_RULES.checkValue('alice,bob', 'Owners'), undefined);
    assert.deepEqual(toArmTags([{ key: ' Owners', value: ' alice,bob ' }]), { ' Owners': ' alice,bob ' }, 'nothing trimmed');
    assert.throws(() => toArmTags([{ key: 'Env', value: '1' }, { key: 'ENV', value: '2' }]), /twice.*differing only in case/);
  });

  it('Google Cloud: labels outside the charset are refused saying which character, never rewritten', () => {
    assert.match(GCP_LABEL_RULES.checkValue('alice,bob', 'owners') ?? '', /"," is not allowed; Google Cloud label values .* lower-case letters, digits, _ and -/);
    assert.match(GCP_LABEL_RULES.checkKey('Owners') ?? '', /the capital "O" is not allowed/);
    assert.match(GCP_LABEL_RULES.checkValue('a b', 'k') ?? '', /a space is not allowed/);
    assert.match(GCP_LABEL_RULES.checkKey('1abc') ?? '', /must start with a lower-case letter/);
    assert.equal(GCP_LABEL_RULES.checkValue('', 'k'), undefined, 'an empty value is allowed');
    assert.equal(GCP_LABEL_RULES.checkKey('équipe'), undefined, 'international lower-case letters are allowed');
    assert.throws(() => toLabels([{ key: 'owners', value: ' alice ' }]), /a space is not allowed/, 'not trimmed into another value');
  });

  it('execute takes only { key, value } lists: text that would split on commas is refused', () => {
    assert.throws(() => tagsAnswer('Owners=alice,bob', AWS_TAG_RULES), /list of \{ key, value \}/);
    assert.deepEqual(tagsAnswer([{ key: 'Owners', value: 'alice,bob' }], AWS_TAG_RULES), [{ key: 'Owners', value: 'alice,bob' }]);
  });
});
