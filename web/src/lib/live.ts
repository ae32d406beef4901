// Live updates in the browser: a GraphQL subscription over Server-Sent Events (the same-origin
// /graphql, GET with the query in the URL; the session cookie goes along), reconnecting with
// exponential backoff when the stream drops. Returns a function that stops it.
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void): () => void {
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1000;
  let stopped = false;
  const url = `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;

  const connect = () => {
    if (stopped) return;
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener('open', () => {
      delay = 1000;
    });
    source.addEventListener('next', (event) => {
      try {
        const payload = JSON.parse((event as MessageEvent<string>).data) as { data?: T };
        if (payload.data) onData(payload.data);
      } catch {
        // a malformed event is skipped
      }
    });
    const retry = () => {
      source?.close();
      source = null;
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    };
    source.addEventListener('complete', retry);
    source.addEventListener('error', retry);
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
