// What a portal session carries for the platform that hands it over: its name, logo and accent colour
// (white-label), and where its user goes back to when the session ends. Pure: the API schema validates
// with these rules, and the portal reads the default name and the contrast rule.

/** The portal's name when the session names none: neutral, so no product name reaches the tenant's user. */
export const DEFAULT_PORTAL_NAME = 'Webhooks';

export const PORTAL_BRANDING_LIMITS = {
  nameMaxLength: 60,
  /** A data: URL holds the image itself; this bounds the row and the session answer (about 24 KiB of image). */
  logoUrlMaxLength: 32_768,
  returnUrlMaxLength: 2_048,
} as const;

/** `#rrggbb`: one spelling, so the stylesheet and the contrast check read it the same way. */
export const ACCENT_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/**
 * The accent is the background of primary buttons (white text) and the colour of links on white: it must
 * reach WCAG AA's 4.5:1 against white, or the portal would fail its own accessibility check.
 */
export const ACCENT_MIN_CONTRAST = 4.5;

/** A path on the portal's own origin (not `//host`, no backslash, no quote, no space). */
const SAME_ORIGIN_PATH = /^\/(?![/\\])[!#-[\]-~]*$/;
/** A base64 data: URL of an image type a browser shows in <img> without running anything. */
const IMAGE_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

export function isLogoUrl(value: string): boolean {
  return SAME_ORIGIN_PATH.test(value) || IMAGE_DATA_URL.test(value);
}

/** An absolute http(s) URL without user or password (a return link is followed by the tenant's user). */
export function isReturnUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
}

/** WCAG 2 contrast ratio of a `#rrggbb` colour against white (1 to 21). */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}
