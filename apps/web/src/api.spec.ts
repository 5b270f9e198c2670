import { errorMessage, query } from './api';

describe('API errors in plain words', () => {
  it("shows the API's own message, a list of validation messages joined, a plain one for 413", () => {
    expect(errorMessage(422, { statusCode: 422, message: '2 faces found in group.jpg; enrollment needs exactly one', faceCount: 2 }, 'x')).toBe('2 faces found in group.jpg; enrollment needs exactly one');
    expect(errorMessage(400, { message: ['name must be a string', 'name is too long'] }, 'x')).toBe('name must be a string; name is too long');
    expect(errorMessage(413, undefined, 'x')).toBe('the file is too big for this server');
    expect(errorMessage(500, 'oops', 'HTTP 500')).toBe('HTTP 500');
  });

  it('builds a query string of the set values only', () => {
    expect(query({ camera: 'gate 1', kind: undefined, person: '', limit: 50 })).toBe('?camera=gate+1&limit=50');
    expect(query({})).toBe('');
  });
});
