import {
  applyChangeSet,
  changeId,
  changeLogSchema,
  VersionConflictError,
  type Stored,
} from '../src/versioned-log';
import type { Doc } from './versioned-doc';

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

describe('applyChangeSet over the store-owned fields', () => {
  it('should take the version given, not one from the change', () => {
    expect(applyChangeSet(doc, {}, 4)).toEqual({ ...doc, version: 4 });
  });

  it('should name the first undefined field among several', () => {
    expect(() => applyChangeSet(doc, { on: true, location: undefined }, 4)).toThrow(
      'D-1 sets location to undefined',
    );
  });
});

describe('changeLogSchema', () => {
  const schema = changeLogSchema<Doc>();

  it('should keep an empty change, which is still a claimed version', () => {
    expect(schema.get('minimize')).toBe(false);
    expect(schema.get('versionKey')).toBe(false);
  });

  it('should require every field of an entry', () => {
    for (const field of ['_id', 'key', 'version', 'set', 'createdAt'])
      expect({ field, required: schema.path(field).isRequired }).toEqual({ field, required: true });
  });

  it('should index entries by key and version (for remove)', () => {
    expect(schema.indexes()).toEqual([[{ key: 1, version: 1 }, expect.anything()]]);
  });
});

describe('VersionConflictError', () => {
  it('should be retriable and say which document kept changing', () => {
    const err = new VersionConflictError('D-1', 20);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'VersionConflictError',
      key: 'D-1',
      attempts: 20,
      retriable: true,
      message: 'D-1 changed concurrently 20 times in a row',
    });
  });
});
