export * from './contracts';
export * from './consumer';
export * from './kafka';
export * from './outbox-relay';
export * from './relay-server';
export * from './worker';
export * from './outbox-lease';
export * from './alerts';
