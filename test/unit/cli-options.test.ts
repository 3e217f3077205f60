// The CLI's option values that it parses itself before the API sees them: string maps, rate limits,
// enabled/disabled, and the subscription body made of the options given (nothing else).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { enabledOption, parseMapOption, parseRateLimit } from '../../src/cli/options.js';
import { SubscriptionCreate, SubscriptionPatch } from '../../src/api/schemas/subscription.js';
import { addSubscriptionOptions, subscriptionBody, type SubscriptionOptions } from '../../src/cli/subscription-options.js';

/** The options commander parses out of `args` for `subscriptions <mode>`. */
function parsed(mode: 'create' | 'update', args: string[]): SubscriptionOptions {
  const command = addSubscriptionOptions(new Command('x').exitOverride(), mode);
  command.parse(args, { from: 'user' });
  return command.opts<SubscriptionOptions>();
}

describe('string map options', () => {
  it('takes repeated key=value, splitting at the first =', () => {
    expect(parseMapOption('--header', ['x-a=1', 'x-b=a=b', 'x-c='])).toEqual({ 'x-a': '1', 'x-b': 'a=b', 'x-c': '' });
  });

  it('takes one JSON object, or a file of one; {} is the empty map', () => {
    expect(parseMapOption('--field-map', ['{}'])).toEqual({});
    expect(parseMapOption('--field-map', [' {"a":"b"}'])).toEqual({ a: 'b' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hookrelay-cli-')), 'map.json');
    writeFileSync(file, '{"x-from-file":"1"}');
    expect(parseMapOption('--header', [`@${file}`])).toEqual({ 'x-from-file': '1' });
  });

  it('names the option and the value it cannot read', () => {
    expect(() => parseMapOption('--header', ['x-a'])).toThrow(new CliError('--header expects key=value (repeatable) or one JSON object, got "x-a"'));
    expect(() => parseMapOption('--header', ['=v'])).toThrow(/got "=v"/);
    expect(() => parseMapOption('--field-map', ['{nope'])).toThrow(/^--field-map is not valid JSON/);
  });
});

describe('--rate-limit', () => {
  it('takes <requests>/<period>, or JSON', () => {
    expect(parseRateLimit('100/1m')).toEqual({ requests: 100, per: '1m' });
    expect(parseRateLimit('{"requests":5,"per":"1s"}')).toEqual({ requests: 5, per: '1s' });
  });

  it('passes values it does not judge to the API as given', () => {
    expect(parseRateLimit('ten/1d')).toEqual({ requests: 'ten', per: '1d' });
  });

  it('refuses text of neither form', () => {
    expect(() => parseRateLimit('fast')).toThrow(/^--rate-limit expects <requests>\/<period>/);
  });
});

describe('--enabled and --disabled', () => {
  it('give true, false or nothing, never both', () => {
    expect(enabledOption({ enabled: true })).toBe(true);
    expect(enabledOption({ disabled: true })).toBe(false);
    expect(enabledOption({})).toBeUndefined();
    expect(() => enabledOption({ enabled: true, disabled: true })).toThrow('--enabled and --disabled exclude each other');
  });
});

describe('the subscription body', () => {
  it('has only the fields whose options were given', () => {
    expect(subscriptionBody(parsed('update', ['--timeout-ms', '2000']))).toEqual({ timeout_ms: 2000 });
    expect(subscriptionBody(parsed('update', []))).toEqual({});
  });

  it('has every field of the API when every option is given', () => {
    const body = subscriptionBody(
      parsed('create', [
        '--url=https://example.com/h',
        '--description=d',
        '--event-type=a.*',
        '--environment=sandbox',
        '--method=put',
        '--header=x-a=1',
        '--field-map=a=b',
        '--retry-policy=none',
        '--timeout-ms=5000',
        '--disabled',
        '--rate-limit=3/1s',
        '--ordering=fifo',
        '--max-in-flight=4',
        '--signature=ed25519',
      ]),
    );
    expect(body).toEqual({
      url: 'https://example.com/h',
      description: 'd',
      event_types: ['a.*'],
      environment: 'sandbox',
      method: 'PUT',
      headers: { 'x-a': '1' },
      field_map: { a: 'b' },
      retry_policy: 'none',
      timeout_ms: 5000,
      enabled: false,
      rate_limit: { requests: 3, per: '1s' },
      ordering: 'fifo',
      max_in_flight: 4,
      signature: 'ed25519',
    });
    // …which are the fields the API's schemas take: one added there and not here fails.
    expect(Object.keys(body).sort()).toEqual(Object.keys(SubscriptionCreate.shape).sort());
    expect(Object.keys(body).sort()).toEqual(Object.keys(SubscriptionPatch.shape).sort());
  });

  it('clears the description and the rate limit with --no-…', () => {
    expect(subscriptionBody(parsed('update', ['--no-description', '--no-rate-limit']))).toEqual({ description: null, rate_limit: null });
  });

  it('on create, --url is required', () => {
    expect(() => parsed('create', ['--timeout-ms', '1000'])).toThrow(/--url/);
  });
});
