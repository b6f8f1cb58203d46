import type {WeightsInfo, WeightsRecord, WeightsSource} from '../shared/protocol/index.ts';

/**
 * The weights as a project or a run manifest records them: their id and
 * label, and how to load them again. A URL on this page's own server is
 * kept relative, so the file works when the app is served from elsewhere;
 * a dropped file is found again by its id among the kept ones.
 */
export function weightsRecord(info: WeightsInfo, source: WeightsSource | null): WeightsRecord {
  const again: WeightsRecord['source'] =
    source?.kind === 'url'
      ? {kind: 'url', url: relativeToPage(source.url)}
      : source?.kind === 'random'
        ? {kind: 'random', seed: source.seed, ...(source.widths ? {widths: source.widths} : {})}
        : source
          ? {kind: 'stored', id: info.id}
          : null;
  return {id: info.id, label: info.label, widths: info.widths, source: again};
}

/** How to load recorded weights on this page. */
export function weightsSourceFromRecord(record: WeightsRecord): WeightsSource | null {
  const source = record.source;
  return source?.kind === 'url' ? {kind: 'url', url: new URL(source.url, document.baseURI).href} : source;
}

function relativeToPage(url: string): string {
  const target = new URL(url, document.baseURI);
  const base = new URL('.', document.baseURI);
  return target.origin === base.origin && target.pathname.startsWith(base.pathname) ? target.pathname.slice(base.pathname.length) + target.search : target.href;
}
