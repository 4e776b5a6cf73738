import { applyChangeSet, changeId, type Stored } from '../src/versioned-log';

interface Doc {
  _id: string;
  version?: number;
  name: string;
  location: { latitude: number; longitude: number } | null;
  on: boolean;
}

const doc: Stored<Doc> = { _id: 'D-1', version: 3, name: 'Ada', location: null, on: false };

describe('changeId', () => {
  it('should name the claim of a version as key:version', () => {
    expect(changeId('D-1', 4)).toBe('D-1:4');
  });

  it('should refuse a version that no change can have', () => {
    for (const version of [0, -1, 1.5, Number.NaN])
      expect(() => changeId('D-1', version)).toThrow(RangeError);
  });
});

describe('applyChangeSet', () => {
  it('should return the full new state: every field, the change over it, and the new version', () => {
    const location = { latitude: 47.6, longitude: -122.3 };
    expect(applyChangeSet(doc, { location }, 4)).toEqual({ ...doc, location, version: 4 });
  });

  it('should leave the current state as it was', () => {
    const before = structuredClone(doc);
    applyChangeSet(doc, { on: true, name: 'Bea' }, 4);
    expect(doc).toEqual(before);
  });

  it('should set null, false and empty values, which are real values', () => {
    const moved: Stored<Doc> = { ...doc, on: true, location: { latitude: 1, longitude: 2 } };
    expect(applyChangeSet(moved, { on: false, location: null, name: '' }, 4)).toEqual({
      ...doc,
      on: false,
      location: null,
      name: '',
      version: 4,
    });
  });

  it('should refuse an undefined value, naming the field', () => {
    expect(() => applyChangeSet(doc, { name: undefined }, 4)).toThrow('D-1 sets name to undefined');
  });
});
