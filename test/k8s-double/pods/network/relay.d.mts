import type { Socket } from 'node:net';

/** See relay.mjs: carries one connection both ways between two half-open sockets. */
export function relay(a: Socket, b: Socket, onError?: (side: 'a' | 'b', err: Error) => void): void;
