// The viewer's parameters, from the URL fragment (kept out of server logs and Referer)
// or the query: `/viewer#token=…&stream=…` (also `streamId`, and `hub` for another origin).
export interface ViewerParams {
  token: string;
  streamId: string;
  hubUrl?: string;
  /** the tallest picture to ask for (`maxHeight=`, device pixels); default the window's height */
  maxHeight?: number;
}

export function viewerParams(loc: Location): ViewerParams | { error: string } {
  const fragment = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const query = new URLSearchParams(loc.search);
  const get = (k: string) => fragment.get(k) ?? query.get(k) ?? undefined;
  const token = get('token');
  const streamId = get('stream') ?? get('streamId');
  if (!token || !streamId) return { error: 'missing token or stream: open /viewer#token=<operator token>&stream=<stream id>' };
  const h = Number(get('maxHeight'));
  return { token, streamId, hubUrl: get('hub'), maxHeight: Number.isInteger(h) && h > 0 ? h : undefined };
}
