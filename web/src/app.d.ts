// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
      /** The request id, shown on 500 pages so a report can be matched with the logs. */
      requestId?: string;
    }
    interface Locals {
      requestId: string;
      /** The signed-in member (from the api's `viewer` query), or null. */
      viewer: import('$lib/server/viewer').Viewer | null;
      /** The read-model keys the api calls of an anonymous page render named (the page cache's). */
      reads?: import('$lib/server/page-cache-policy').ReadsCollector;
    }
    // interface PageData {}
    // interface PageState {}
    // interface Platform {}
  }
}

export {};
