import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface Live {
  /**
   * Runs one operation over graphql-ws (a subscription, or a query answered once) and calls `onData` with
   * each result. Returns the function that stops it. Errors in a result go to `onError`.
   */
  run<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
    onData: (data: TResult) => void,
    onError?: (message: string) => void,
  ): () => void;
  /** Called on every (re)connection: queries that are not subscriptions are run again from here. */
  onConnected(listener: () => void): () => void;
  onState(listener: (state: ConnectionState) => void): void;
  /** Whether an API key is set for this browser (alerts need one with the ALERTS scope). */
  hasKey(): boolean;
  /**
   * Sets (or with an empty string forgets) the API key sent as `connectionParams.authorization`, kept in
   * this browser's localStorage only, and reconnects so the server sees it; subscriptions resume on the new socket.
   */
  setKey(key: string): void;
  dispose(): void;
}

const KEY_STORAGE = 'perpgraph.apiKey';

function storedKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/**
 * One graphql-ws connection for the whole page, to `/graphql` on the server that served it. It
 * reconnects by itself for ever (jittered exponential back-off, capped at 10 s) and graphql-ws re-sends
 * every active subscription on the new socket; the server answers state subscriptions with their latest
 * result at once, so every panel is current again after a reconnect without any polling.
 */
export function createLive(url = defaultUrl()): Live {
  let state: ConnectionState = 'connecting';
  let everConnected = false;
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const connectedListeners = new Set<() => void>();
  const setState = (next: ConnectionState) => {
    state = next;
    for (const l of stateListeners) l(state);
  };
  let key = storedKey();
  const client: Client = createClient({
    url,
    lazy: false,
    // Read on every (re)connection, so a key set later applies after the reconnect setKey forces.
    connectionParams: () => (key ? { authorization: `Bearer ${key}` } : {}),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** Math.min(retries, 5)) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    keepAlive: 10_000,
    on: {
      connecting: () => setState(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        const reconnect = everConnected;
        everConnected = true;
        setState('connected');
        if (reconnect) for (const l of connectedListeners) l();
      },
      closed: () => setState(everConnected ? 'reconnecting' : 'connecting'),
    },
  });
  return {
    run<TResult, TVariables>(
      document: TypedDocumentString<TResult, TVariables>,
      variables: TVariables,
      onData: (data: TResult) => void,
      onError?: (message: string) => void,
    ) {
      return client.subscribe<TResult>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (result.errors?.length) onError?.(result.errors.map((e) => e.message).join('; '));
            if (result.data) onData(result.data);
          },
          error: (error) => onError?.(error instanceof Error ? error.message : describeClose(error)),
          complete: () => {},
        },
      );
    },
    onConnected(listener) {
      connectedListeners.add(listener);
      return () => connectedListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
    },
    hasKey: () => key !== '',
    setKey(next) {
      key = next.trim();
      try {
        if (key) localStorage.setItem(KEY_STORAGE, key);
        else localStorage.removeItem(KEY_STORAGE);
      } catch {
        // Storage refused (private mode): the key lasts for this page only.
      }
      client.terminate();
    },
    dispose() {
      setState('closed');
      void client.dispose();
    },
  };
}

function describeClose(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) return `connection closed (${String((error as { code: unknown }).code)})`;
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join('; ');
  return String(error);
}

function defaultUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}
