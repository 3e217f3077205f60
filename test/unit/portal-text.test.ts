// The portal's words for what the API holds: retry policies as sentences, and the branding rules a portal
// session's look is held to.
import { describe, expect, it } from 'vitest';
import { contrastWithWhite, isLogoUrl, isReturnUrl } from '../../src/domain/portal-branding.js';
import { retryPolicyText, span } from '../../src/portal/client/retry-text.js';

describe('retryPolicyText', () => {
  it('reads each preset and a custom policy as a sentence', () => {
    expect(retryPolicyText('default')).toBe('Retries until it succeeds or 3 days have passed, waiting 5 s, then doubling up to 1 h');
    expect(retryPolicyText('three_retries')).toBe('Up to 4 attempts, waiting 10 s, then tripling up to 1 h');
    expect(retryPolicyText('none')).toBe('One attempt, no retry');
    expect(
      retryPolicyText({
        initial_interval: '30s',
        maximum_interval: '1h',
        maximum_attempts: 8,
        max_duration: '72h',
        non_retryable_statuses: [400, 422],
      }),
    ).toBe('Up to 8 attempts over at most 3 days, waiting 30 s, then doubling up to 1 h; HTTP 400, 422 are not retried');
    expect(retryPolicyText({ initial_interval: '1m', backoff_coefficient: 1, maximum_attempts: 5 })).toBe(
      'Up to 5 attempts, waiting 1 min between attempts',
    );
    expect(retryPolicyText({ backoff_coefficient: 1.5, maximum_attempts: 3 })).toBe('Up to 3 attempts, waiting 5 s, then ×1.5 each time up to 500 s');
  });

  it('names a span in the largest whole unit', () => {
    expect([span(90_000), span(5_400_000), span(86_400_000), span(1_500)]).toEqual(['90 s', '90 min', '1 day', '1500 ms']);
  });
});

describe('portal branding rules', () => {
  it('take a same-origin path or an image data: URL as the logo, nothing else', () => {
    for (const ok of ['/logo.png', '/static/a-b_c.svg?v=2', 'data:image/png;base64,iVBORw0KGgo=', 'data:image/svg+xml;base64,PHN2Zz4='])
      expect(isLogoUrl(ok), ok).toBe(true);
    for (const bad of [
      'https://cdn.example.com/l.png',
      '//cdn.example.com/l.png',
      '/\\cdn.example.com',
      '/a b.png',
      'data:text/html;base64,PGI+',
      'data:image/png,<svg>',
      'javascript:alert(1)',
      'logo.png',
    ])
      expect(isLogoUrl(bad), bad).toBe(false);
  });

  it('take an absolute http(s) return URL without credentials', () => {
    expect(isReturnUrl('https://dashboard.example.com/webhooks?x=1')).toBe(true);
    expect(isReturnUrl('http://localhost:3000/')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '/relative', 'https://u:p@example.com/', 'ftp://example.com/', 'not a url'])
      expect(isReturnUrl(bad), bad).toBe(false);
  });

  it('measure an accent colour against white as WCAG does', () => {
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    expect(contrastWithWhite('#2754c5')).toBeGreaterThan(4.5);
    expect(contrastWithWhite('#ffff00')).toBeLessThan(4.5);
  });
});
