/**
 * Topics, each with its dead-letter topic. Trip events are keyed by trip code and driver events by
 * driver code, so each entity's events stay in order.
 */
export type EventTopics = Record<
  'tripEvents' | 'tripEventsDeadLetter' | 'driverEvents' | 'driverEventsDeadLetter',
  string
>;

/** A namespace becomes part of every topic name, so it may hold only what Kafka allows there. */
export const KAFKA_NAMESPACE_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

const prefixed = (namespace: string, name: string) => (namespace ? `${namespace}.${name}` : name);

/**
 * The topics under a namespace (KAFKA_NAMESPACE, read at start by readKafkaConfig), so several systems
 * (parallel test runs, staging next to dev) can share one Kafka cluster without seeing each other's
 * events. The empty namespace is the plain names.
 */
export function eventTopics(namespace = ''): EventTopics {
  return {
    tripEvents: prefixed(namespace, 'rideshare.trip-events'),
    tripEventsDeadLetter: prefixed(namespace, 'rideshare.trip-events.dlq'),
    driverEvents: prefixed(namespace, 'rideshare.driver-events'),
    driverEventsDeadLetter: prefixed(namespace, 'rideshare.driver-events.dlq'),
  };
}

/** A consumer group's name under the namespace, like the topics it reads. */
export const consumerGroupId = (namespace: string, groupId: string): string => prefixed(namespace, groupId);
