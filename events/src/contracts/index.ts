// The one definition of what travels between services: Kafka topics and their events, the Redis
// channels of live fields and the signals published on them (events/EVENTS.md).
export * from './topics';
export { entityEventId, InvalidEventError, parseEnvelope } from './envelope';
export * from './trip-events';
export * from './driver-events';
export * from './live-signals';
