import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRole, type Principal, type Role } from '../../../shared/auth/types';
import { toPrincipal } from '../../../shared/auth/principal';

const principal = (roles: Role[]): Principal => ({ id: 'id', name: 'n', roles, issuer: 'i' });

test('hasRole: Sluice.Read ⊂ Sluice.Run ⊂ Sluice.Admin, and no role reaches nothing', () => {
  // rows: held role; columns: required Read, Run, Admin
  const matrix: [Role[], [boolean, boolean, boolean]][] = [
    [[], [false, false, false]],
    [['Sluice.Read'], [true, false, false]],
    [['Sluice.Run'], [true, true, false]],
    [['Sluice.Admin'], [true, true, true]],
    [
      ['Sluice.Read', 'Sluice.Admin'],
      [true, true, true],
    ],
  ];
  for (const [held, expected] of matrix) {
    const actual = (['Sluice.Read', 'Sluice.Run', 'Sluice.Admin'] as Role[]).map((r) => hasRole(principal(held), r));
    assert.deepEqual(actual, expected, `held ${held.join(',') || 'nothing'}`);
  }
});

test('toPrincipal prefers oid over sub and names the caller from the first present claim', () => {
  assert.deepEqual(toPrincipal({ iss: 'i', sub: 's', oid: 'o', name: 'Ada', preferred_username: 'ada@x' }), {
    id: 'o',
    name: 'Ada',
    roles: [],
    issuer: 'i',
  });
  assert.equal(toPrincipal({ iss: 'i', sub: 's', preferred_username: 'ada@x', appid: 'app' })?.name, 'ada@x');
  assert.equal(toPrincipal({ iss: 'i', sub: 's', unique_name: 'ada@v1', appid: 'app' })?.name, 'ada@v1');
  assert.equal(toPrincipal({ iss: 'i', sub: 's', appid: 'app-v1', azp: 'app-v2' })?.name, 'app-v1');
  assert.equal(toPrincipal({ iss: 'i', sub: 's', azp: 'app-v2' })?.name, 'app-v2');
  assert.equal(toPrincipal({ iss: 'i', sub: 's' })?.name, 's');
  assert.equal(toPrincipal({ iss: 'i', name: 'nobody' }), undefined);
});

test('toPrincipal keeps only Sluice roles, once each; a single-string roles claim counts', () => {
  assert.deepEqual(toPrincipal({ sub: 's', roles: ['Sluice.Run', 'Sluice.Run', 'Admin', 42, 'sluice.read'] })?.roles, [
    'Sluice.Run',
  ]);
  assert.deepEqual(toPrincipal({ sub: 's', roles: 'Sluice.Admin' })?.roles, ['Sluice.Admin']);
  assert.deepEqual(toPrincipal({ sub: 's', roles: { 'Sluice.Admin': true } })?.roles, []);
});
