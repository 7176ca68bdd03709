import { print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, type TestApp } from './harness.js';

/** A typed document as emitted by graphql-codegen's client preset. */
export type Typed<R, V> = DocumentNode & { __apiType?: (variables: V) => R };

/** Runs a typed document against the test app over HTTP. */
export async function run<R, V>(app: TestApp, doc: Typed<R, V>, variables?: V) {
  return gql<R>(app.url, print(doc), variables as Record<string, unknown>);
}

/** A lazy graphql-ws client on the test app that never retries. */
export function wsClient(app: TestApp): Client {
  return createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Resolves with the first `count` events of one subscription, then unsubscribes. */
export function collectEvents<T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const events: T[] = [];
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`only ${events.length}/${count} events within ${timeoutMs} ms`));
    }, timeoutMs);
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) {
            clearTimeout(timer);
            dispose();
            reject(new Error(JSON.stringify(result.errors)));
            return;
          }
          events.push(result.data as T);
          if (events.length === count) {
            clearTimeout(timer);
            dispose();
            resolve(events);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {},
      },
    );
  });
}
