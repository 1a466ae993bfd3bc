// The part of autocannon 9's API the soak uses (it ships no types; @types/autocannon
// describes version 7). Names and shapes as in its README and lib/run.js, lib/httpClient.js.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called with every answer to this request (the body is collected for it). */
    onResponse?: (status: number, body: string) => void;
  }

  interface Client extends EventEmitter {
    /** Replaces this connection's request sequence (before its first request, from setupClient). */
    setRequests(requests: Request[]): void;
  }

  interface Options {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    /** Seconds a request may take before it counts as a timeout (and the connection is re-made). */
    timeout?: number;
    pipelining?: number;
    /** Replace `[<id>]` in each request with a fresh unique id. */
    idReplacement?: boolean;
    setupClient?: (client: Client) => void;
  }

  interface Result {
    /** Socket errors, timeouts included. */
    errors: number;
    timeouts: number;
    /** Answers outside 2xx. */
    non2xx: number;
    totalCompletedRequests: number;
    duration: number;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    on(event: "response", listener: (client: Client, statusCode: number, resBytes: number, responseTime: number) => void): this;
    on(event: "reqError", listener: (error: Error) => void): this;
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
}
