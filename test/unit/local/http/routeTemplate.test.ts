import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRouteTemplates, matchRouteTemplate, parseRouteTemplate } from '../../../../local/http/routeTemplate';

const match = (template: string, path: string) => matchRouteTemplate(parseRouteTemplate(template), path);

test('literal segments match case-insensitively, with or without a trailing slash', () => {
  assert.deepEqual(match('items/special', '/ITEMS/Special'), {});
  assert.deepEqual(match('items/special', '/items/special/'), {});
  assert.equal(match('items/special', '/items/other'), undefined);
  assert.equal(match('items', '/items/extra'), undefined);
});

test('parameters, optional parameters, defaults and catch-alls', () => {
  assert.deepEqual(match('hello/{name}', '/hello/Bob'), { name: 'Bob' });
  assert.equal(match('hello/{name}', '/hello'), undefined);
  assert.deepEqual(match('hello/{name?}', '/hello'), {});
  assert.deepEqual(match('lang/{lang=en}', '/lang'), { lang: 'en' });
  assert.deepEqual(match('lang/{lang=en}', '/lang/fr'), { lang: 'fr' });
  assert.deepEqual(match('files/{*rest}', '/files/a/b/c.txt'), { rest: 'a/b/c.txt' });
  assert.deepEqual(match('files/{**rest}', '/files'), {});
  assert.deepEqual(match('files/{name}', '/files/a%20b'), { name: 'a b' });
});

test('complex segments split on their literals, taking the last separator', () => {
  assert.deepEqual(match('docs/{name}.{ext}', '/docs/readme.v2.md'), { name: 'readme.v2', ext: 'md' });
  assert.equal(match('docs/{name}.{ext}', '/docs/readme'), undefined);
  assert.deepEqual(match('docs/{name}.{ext?}', '/docs/readme'), { name: 'readme' });
});

test('every supported constraint accepts and rejects as ASP.NET does', () => {
  const cases: [string, string, boolean][] = [
    ['{x:int}', '42', true],
    ['{x:int}', '-7', true],
    ['{x:int}', '2147483648', false],
    ['{x:int}', '4.2', false],
    ['{x:long}', '2147483648', true],
    ['{x:bool}', 'TRUE', true],
    ['{x:bool}', 'yes', false],
    ['{x:datetime}', '2024-02-29', true],
    ['{x:datetime}', 'someday', false],
    ['{x:decimal}', '1.5', true],
    ['{x:double}', '1e3', true],
    ['{x:float}', 'abc', false],
    ['{x:guid}', '0f8fad5b-d9cb-469f-a165-70867728950e', true],
    ['{x:guid}', '0f8fad5b', false],
    ['{x:alpha}', 'abcXYZ', true],
    ['{x:alpha}', 'abc1', false],
    ['{x:minlength(3)}', 'ab', false],
    ['{x:maxlength(3)}', 'abc', true],
    ['{x:length(3)}', 'abcd', false],
    ['{x:length(2,4)}', 'abc', true],
    ['{x:min(18)}', '17', false],
    ['{x:max(10)}', '10', true],
    ['{x:range(1,10)}', '11', false],
    ['{x:range(1,10)}', '5', true],
    ['{x:regex(^[a-z]{{2}}\\d$)}', 'ab1', true],
    ['{x:regex(^[a-z]{{2}}\\d$)}', 'abc', false],
    ['{x:int:min(18)}', '30', true],
    ['{x:int:min(18)}', 'x', false],
    ['{x:file}', 'a.txt', true],
    ['{x:nonfile}', 'a.txt', false],
  ];
  for (const [template, value, expected] of cases) {
    assert.equal(match(`t/${template}`, `/t/${value}`) !== undefined, expected, `${template} with ${value}`);
  }
});

test('bad templates name the problem', () => {
  assert.throws(
    () => parseRouteTemplate('a/{x:nope}'),
    /route template "a\/\{x:nope\}" is invalid: the constraint "nope" is unknown/,
  );
  assert.throws(
    () => parseRouteTemplate('a/{*rest}/b'),
    /catch-all parameter "\{\*rest\}" must be the whole last segment/,
  );
  assert.throws(() => parseRouteTemplate('a/{x}/{X}'), /the parameter "X" appears twice/);
  assert.throws(() => parseRouteTemplate('a/{x'), /is not closed/);
  assert.throws(() => parseRouteTemplate('a/{x:min(a)}'), /needs integer arguments/);
});

test('route order: literals first, then more constraints, then longer templates', () => {
  const sorted = ['items/{name}', 'items/{id:int}', 'items/special', '{*all}', 'items/{id}/parts']
    .map(parseRouteTemplate)
    .sort(compareRouteTemplates)
    .map((t) => t.text);
  assert.deepEqual(sorted, ['items/special', 'items/{id:int}', 'items/{id}/parts', 'items/{name}', '{*all}']);
});
