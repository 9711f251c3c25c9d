import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseListQuery } from './list-query';

const rules = { filters: ['q', 'status'] as const, sortable: ['createdAt', 'name'] as const, defaultSort: { field: 'createdAt' as const, order: 'DESC' as const } };

function problem(query: Record<string, unknown>) {
  try {
    parseListQuery(query, rules);
  } catch (error) {
    return ((error as BadRequestException).getResponse() as { problems: unknown[] }).problems[0];
  }
  return null;
}

describe("react-admin's list query", () => {
  it('reads filter, sort and range', () => {
    expect(parseListQuery({ filter: '{"q":"boots"}', sort: '["name","ASC"]', range: '[25,49]' }, rules)).toEqual({
      filter: { q: 'boots' },
      sort: { field: 'name', order: 'ASC' },
      offset: 25,
      limit: 25,
    });
  });

  it('has defaults', () => {
    expect(parseListQuery({}, rules)).toEqual({ filter: {}, sort: { field: 'createdAt', order: 'DESC' }, offset: 0, limit: 25 });
  });

  it('names what is wrong', () => {
    expect(problem({ filter: '{nope' })).toEqual({ path: 'filter', message: 'must be JSON' });
    expect(problem({ filter: '{"colour":"red"}' })).toEqual({ path: 'filter.colour', message: 'is not a filter here; use one of q, status' });
    expect(problem({ sort: '["password","ASC"]' })).toEqual({ path: 'sort', message: 'cannot sort by "password"; use one of createdAt, name' });
    expect(problem({ sort: '["name","UP"]' })).toEqual({ path: 'sort', message: 'order must be "ASC" or "DESC"' });
    expect(problem({ range: '[10,2]' })).toEqual({ path: 'range', message: 'must be [first, last] with whole numbers, first ≤ last' });
    expect(problem({ range: '[0,9999]' })).toEqual({ path: 'range', message: 'asks for 10000 rows; at most 500 at a time' });
  });

  it('bounds the range: whole numbers from 0, first ≤ last, a page start within reach of the database', () => {
    expect(problem({ range: '[1e20,1e20]' })).toEqual({ path: 'range', message: 'starts at row 100000000000000000000; a page may start at row 1000000000 at most' });
    expect(problem({ range: '[0,1e20]' })).toMatchObject({ path: 'range', message: expect.stringMatching(/at most 500 at a time/) });
    for (const range of ['[-1,3]', '[1.5,3]', '[0]', '[0,1,2]', '"0-9"', '[null,3]', '["0","9"]']) expect(problem({ range }), range).toMatchObject({ path: 'range' });
    expect(parseListQuery({ range: '[1000000000,1000000009]' }, rules)).toMatchObject({ offset: 1_000_000_000, limit: 10 });
  });

  it('applies the JSON limits to filter and sort', () => {
    expect(problem({ filter: JSON.stringify({ q: { a: { a: { a: { a: 1 } } } } }) })).toMatchObject({ path: 'filter.q.a.a.a', message: expect.stringMatching(/nested deeper than 4/) });
    expect(problem({ filter: '{"q":"\\ud800"}' })).toMatchObject({ path: 'filter.q', message: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(problem({ sort: '["name\\u0000","ASC"]' })).toMatchObject({ path: 'sort[0]', message: expect.stringMatching(/NUL/) });
  });
});
