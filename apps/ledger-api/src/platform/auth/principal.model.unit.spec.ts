import { effectiveRoles, hasAnyRole, isRole } from './principal.model';

describe('roles', () => {
  it('expands implied roles', () => {
    expect([...effectiveRoles(['admin'])].sort()).toEqual(['admin', 'auditor', 'integrator', 'reader', 'recorder']);
    // An integrator reads the feeds, nothing else: not the query API, not the auditors' reads.
    expect([...effectiveRoles(['integrator'])]).toEqual(['integrator']);
    expect([...effectiveRoles(['recorder'])].sort()).toEqual(['reader', 'recorder']);
    expect([...effectiveRoles(['auditor'])].sort()).toEqual(['auditor', 'reader']);
    expect([...effectiveRoles(['reader'])]).toEqual(['reader']);
  });

  it.each([
    [['reader'], ['recorder'], false],
    [['reader'], ['reader'], true],
    [['recorder'], ['reader'], true],
    [['recorder'], ['auditor'], false],
    [['auditor'], ['recorder'], false],
    [['auditor'], ['recorder', 'auditor'], true],
    [['admin'], ['auditor'], true],
    [['reader'], [], true],
  ] as const)('%j satisfies any of %j: %s', (granted, required, expected) => {
    expect(hasAnyRole({ roles: [...granted] }, [...required])).toBe(expected);
  });

  it('recognises role names', () => {
    expect(isRole('auditor')).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
