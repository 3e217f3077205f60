// Hash routes (#/subscriptions/sub_…): the server serves one page, and the browser's back button works.
// Only a hash that starts with `#/` is a route: another (`#main`, an in-page anchor) leaves the page as it is.
import { useEffect, useState } from 'preact/hooks';
import { focusWhenShown } from './ui.js';

export interface Route {
  path: string[];
  params: URLSearchParams;
}

const isRoute = (hash: string) => hash === '' || hash === '#' || hash.startsWith('#/');

function parse(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

/** The route the address names; the last route it named when it names none. */
let last = parse(isRoute(location.hash) ? location.hash : '');

function current(): Route {
  if (isRoute(location.hash)) last = parse(location.hash);
  return last;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => {
      if (!isRoute(location.hash)) return;
      setRoute(current());
      // A new page: move focus to its heading (once it has loaded) so keyboard and screen-reader users start there.
      focusWhenShown('main h1');
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return `#/${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | undefined> = {}): void {
  location.hash = href(path, params);
}
