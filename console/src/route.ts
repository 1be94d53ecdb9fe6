// Hash routing: #/collections, #/c/<id>/<tab>, #/operate, #/keys. The server serves one file.
import { useSyncExternalStore } from 'react';

export const TABS = ['records', 'search', 'explain', 'projection', 'quality', 'delete'] as const;
export type Tab = (typeof TABS)[number];

export type Route =
  { page: 'collections' } | { page: 'collection'; id: string; tab: Tab } | { page: 'operate' } | { page: 'keys' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'c' && parts[1]) {
    let id: string;
    try {
      id = decodeURIComponent(parts[1]);
    } catch {
      return { page: 'collections' };
    }
    const tab = (TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as Tab) : 'records';
    return { page: 'collection', id, tab };
  }
  if (parts[0] === 'operate') return { page: 'operate' };
  if (parts[0] === 'keys') return { page: 'keys' };
  return { page: 'collections' };
}

export function collectionHref(id: string, tab: Tab = 'records'): string {
  return `#/c/${encodeURIComponent(id)}/${tab}`;
}

// popstate comes synchronously with a fragment navigation (hashchange only later, as a task):
// listening to both re-renders the page before anything can act on the previous one.
function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener('hashchange', onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener('hashchange', onChange);
  };
}

const currentHash = () => window.location.hash;

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, currentHash));
}
