import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodeOfStatus, HTTP_STATUS } from './errors.js';

describe('error codes and HTTP statuses', () => {
  it('map both ways, so an answer without our body still says what went wrong', () => {
    for (const code of ERROR_CODES) if (code !== 'keychain_unavailable') expect(errorCodeOfStatus(HTTP_STATUS[code])).toBe(code);
    expect(errorCodeOfStatus(503)).toBe('offline');
    expect(errorCodeOfStatus(502)).toBe('offline');
    expect(errorCodeOfStatus(422)).toBe('validation');
    expect(errorCodeOfStatus(418)).toBeUndefined();
  });
});
