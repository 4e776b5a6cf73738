import { isDuplicateKeyError } from '../src/errors';

describe('isDuplicateKeyError', () => {
  it('should recognise E11000 and the back ends’ unique violations that FerretDB passes on', () => {
    expect(isDuplicateKeyError({ code: 11000, message: 'E11000 duplicate key error' })).toBe(true);
    expect(isDuplicateKeyError({ code: 1, message: 'UNIQUE constraint failed: p.email' })).toBe(true);
    expect(
      isDuplicateKeyError({
        code: 1,
        message: 'ERROR: duplicate key value violates unique constraint "p_email_idx" (SQLSTATE 23505)',
      }),
    ).toBe(true);
  });

  it('should not take other errors for duplicates', () => {
    expect(isDuplicateKeyError({ code: 1, message: 'ERROR: deadlock detected (SQLSTATE 40P01)' })).toBe(
      false,
    );
    expect(isDuplicateKeyError(new Error('connection reset'))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});
