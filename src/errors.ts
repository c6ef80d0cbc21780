/**
 * One catalogue of the errors socket-lab reports to people. Callers and tests branch on `code`,
 * never on the message text; the message is one plain sentence that says what to do next.
 */
export type LabErrorCode =
  | 'LAB_ERR_CONNECT_REFUSED'
  | 'LAB_ERR_CONNECT_TIMEOUT'
  | 'LAB_ERR_HOST_NOT_FOUND'
  | 'LAB_ERR_NETWORK_UNREACHABLE'
  | 'LAB_ERR_ADDR_IN_USE'
  | 'LAB_ERR_ADDR_NOT_AVAILABLE'
  | 'LAB_ERR_PERMISSION'
  | 'LAB_ERR_CONNECTION_LOST'
  | 'LAB_ERR_CHAT_NO_ANSWER'
  | 'LAB_ERR_CHAT_REFUSED'
  | 'LAB_ERR_SERVER_LIMIT'
  | 'LAB_ERR_NO_NAME'
  | 'LAB_ERR_BAD_INPUT'
  | 'LAB_ERR_BAD_OPTION'
  | 'LAB_ERR_SOCKET';

/**
 * Codes for a command used wrongly (a value out of range, a file that cannot be read): the exit
 * code is 2, as for commander's own usage errors. Every other LabError is a runtime failure (exit 1).
 */
export const USAGE_ERRORS: ReadonlySet<LabErrorCode> = new Set([
  'LAB_ERR_BAD_OPTION',
  'LAB_ERR_BAD_INPUT',
  'LAB_ERR_NO_NAME',
]);

export class LabError extends Error {
  override readonly name = 'LabError';
  /** The same sentence in Russian, when the code that threw it made one (else errors-ru.ts finds it). */
  readonly ru: string | undefined;
  constructor(
    readonly code: LabErrorCode,
    message: string,
    options?: { cause?: unknown; ru?: string },
  ) {
    super(message, options);
    this.ru = options?.ru;
  }
}

/**
 * Turns a Node socket error into a LabError whose message is one sentence a student can act on.
 * `what` names the operation, e.g. "connect to 10.0.0.5:7007" or "listen on 0.0.0.0:7007 (TCP)".
 */
export function explainSocketError(err: unknown, what: string): LabError {
  if (err instanceof LabError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return new LabError(
        'LAB_ERR_CONNECT_REFUSED',
        `cannot ${what}: connection refused (nothing listens on that address and port; is the server running and bound to an address this machine can reach?)`,
        { cause: err },
      );
    case 'ETIMEDOUT':
      return new LabError(
        'LAB_ERR_CONNECT_TIMEOUT',
        `cannot ${what}: no answer in time (a firewall may drop the packets, or the address is wrong)`,
        { cause: err },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new LabError(
        'LAB_ERR_HOST_NOT_FOUND',
        `cannot ${what}: the host name does not resolve (check the spelling, or use an IP address)`,
        { cause: err },
      );
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new LabError(
        'LAB_ERR_NETWORK_UNREACHABLE',
        `cannot ${what}: no route to that network from this machine`,
        { cause: err },
      );
    case 'EADDRINUSE':
      return new LabError(
        'LAB_ERR_ADDR_IN_USE',
        `cannot ${what}: the port is already in use by another program (stop it, or choose another port)`,
        { cause: err },
      );
    case 'EADDRNOTAVAIL':
      return new LabError(
        'LAB_ERR_ADDR_NOT_AVAILABLE',
        `cannot ${what}: that address does not belong to this machine (use 0.0.0.0 to listen on all addresses)`,
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new LabError(
        'LAB_ERR_PERMISSION',
        `cannot ${what}: permission denied (ports below 1024 need administrator rights; use a higher port)`,
        { cause: err },
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new LabError('LAB_ERR_CONNECTION_LOST', `${what}: the connection was reset by the other side`, {
        cause: err,
      });
    default: {
      const reason = err instanceof Error ? err.message : String(err);
      return new LabError('LAB_ERR_SOCKET', `cannot ${what}: ${reason}`, { cause: err });
    }
  }
}
