export interface DashboardServerOptions {
  /** Port to listen on; 0 picks a free one. @default 5173 */
  port?: number;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Broker WebSocket URL given to the page (`{host}` = the page's host); `?broker=` still wins. @default ws://<page host>:8080/mqtt */
  broker?: string;
  /** The broker's HTTP listener (history API) given to the page (`{host}` = the page's host); `?history=` still wins. @default the broker URL's host on port 9090 */
  history?: string;
  /** The broker's HTTP listener to forward `/v1/` to, so the page reads history from its own origin (no CORS needed). @default undefined */
  historyUpstream?: string;
  /** Directory with the built files. @default apps/dashboard/dist */
  root?: string;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function startDashboardServer(options?: DashboardServerOptions): Promise<DashboardServer>;
