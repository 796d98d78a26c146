import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Sends `frames` as text messages on `socket`, handed to the kernel together. ws frames each
 * message and writes it to the TCP socket at once, one syscall per message; with the TCP socket
 * corked around the sends, Node writes them all in one `writev` when it is uncorked. Messages,
 * their order and their bytes are what `socket.send` makes of each. ws has no public handle on
 * its TCP socket: it is `_socket` (ws 7 and 8); without one the messages go one by one.
 */
export function sendFrames(socket: WebSocket, frames: readonly string[]): void {
  if (socket.readyState !== socket.OPEN) return;
  const transport = frames.length > 1 ? (socket as unknown as { _socket?: Writable })._socket : undefined;
  transport?.cork();
  try {
    for (const frame of frames) socket.send(frame);
  } finally {
    transport?.uncork();
  }
}
