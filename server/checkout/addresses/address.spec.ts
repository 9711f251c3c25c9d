import { describe, expect, it } from 'vitest';
import { describeProblem } from './address';

describe('address problems', () => {
  it('read as "field: message"', () => {
    expect(describeProblem({ field: 'region', message: 'required for US (a state such as "CA")' })).toBe('region: required for US (a state such as "CA")');
  });
});
