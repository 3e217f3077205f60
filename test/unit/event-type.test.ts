import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_PATTERN, matchesEventType, SUBSCRIPTION_PATTERN } from '../../src/domain/event-type.js';

describe('matchesEventType', () => {
  it.each([
    ['*', 'user.created', true],
    ['*', 'a', true],
    ['user.*', 'user.created', true],
    ['user.*', 'user.profile.updated', true],
    ['user.*', 'user', false],
    ['user.*', 'users.created', false],
    ['user.created', 'user.created', true],
    ['user.created', 'user.created.v2', false],
    ['data_model.*.created', 'data_model.invoice.created', true],
    ['data_model.*.created', 'data_model.invoice.updated', false],
    ['data_model.*.created', 'data_model.a.b.created', false],
    ['*.created', 'user.created', true],
    ['*.created', 'user.deleted', false],
    ['failure.*', 'failure.delivery', true],
  ])('%s ~ %s → %s', (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
  });

  it('validates types and patterns', () => {
    expect(EVENT_TYPE_PATTERN.test('data_model.invoice.created')).toBe(true);
    expect(EVENT_TYPE_PATTERN.test('User.created')).toBe(false);
    expect(EVENT_TYPE_PATTERN.test('user..created')).toBe(false);
    expect(SUBSCRIPTION_PATTERN.test('user.*')).toBe(true);
    expect(SUBSCRIPTION_PATTERN.test('user.**')).toBe(false);
  });
});
