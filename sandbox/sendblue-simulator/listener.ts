/**
 * The simulator's port: listening, and the `refuse` outage, where the port is closed with every
 * open connection for a while (a client gets ECONNREFUSED, as when DNS or a load balancer is gone)
 * and then listens again on the same port. The server object and the simulator's state live on,
 * so everything is as before once it is back.
 */
import type { Server } from 'node:http';
import type { Logger } from '../../lambdas/platform/logger.js';

const HOST = '127.0.0.1';
/** Tries to get the port back if something else grabbed it meanwhile (then gives up loudly). */
const REOPEN_RETRY_MS = 100;
const REOPEN_ATTEMPTS = 50;
/** Time for clients in this process to notice their connections closed (a turn or two of the event loop). */
const CLOSE_SETTLE_MS = 25;

export class Listener {
  private port = 0;
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopening: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly server: Server,
    private readonly logger: Logger,
  ) {}

  /** Listens on 127.0.0.1 (0 = any free port); answers the port. */
  async listen(port: number): Promise<number> {
    await this.bind(port);
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  isListening(): boolean {
    return this.server.listening;
  }

  /**
   * Closes the port and every connection now; listens again after `ms`. Resolves once closed and
   * a moment later, so that a client in this process has seen its pooled connections close: its
   * next call is refused (ECONNREFUSED), not sent down a dead connection.
   */
  async refuseFor(ms: number, onReopen: () => void): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => void this.reopen().then(onReopen), ms);
    if (this.server.listening) await this.close();
    this.logger.info('sendblue simulator refuses connections (outage)', { port: this.port, ms });
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, CLOSE_SETTLE_MS)));
  }

  /** Listens again now if a refusal is running (retrying a taken port for a few seconds). */
  reopen(): Promise<void> {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    if (this.stopped || this.server.listening) return Promise.resolve();
    this.reopening ??= (async () => {
      for (let attempt = 1; !this.stopped; attempt += 1) {
        try {
          await this.bind(this.port);
          this.logger.info('sendblue simulator accepts connections again', { port: this.port });
          return;
        } catch (error) {
          if (attempt >= REOPEN_ATTEMPTS) {
            this.logger.error('sendblue simulator could not get its port back', { port: this.port, error });
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, REOPEN_RETRY_MS));
        }
      }
    })().finally(() => {
      this.reopening = undefined;
    });
    return this.reopening;
  }

  /** Resolves when listening (at once, unless a refusal or a reopen is running). */
  async whenListening(): Promise<void> {
    while (!this.stopped && !this.server.listening) {
      await (this.reopening ?? new Promise((resolve) => setTimeout(resolve, 10)));
    }
  }

  /** Closes for good: no reopen after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reopenTimer);
    await this.reopening;
    if (this.server.listening) await this.close();
  }

  private bind(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, HOST, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
