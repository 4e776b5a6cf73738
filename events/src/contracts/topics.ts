/**
 * KAFKA_NAMESPACE prefixes every topic and consumer group, so several systems (parallel test runs,
 * staging next to dev) can share one Kafka cluster without seeing each other's events.
 */
export const kafkaNamespace = process.env.KAFKA_NAMESPACE ? `${process.env.KAFKA_NAMESPACE}.` : '';

/**
 * Topics, each with its dead-letter topic. Trip events are keyed by trip code and driver events by
 * driver code, so each entity's events stay in order.
 */
export const TOPICS = {
  tripEvents: `${kafkaNamespace}rideshare.trip-events`,
  tripEventsDeadLetter: `${kafkaNamespace}rideshare.trip-events.dlq`,
  driverEvents: `${kafkaNamespace}rideshare.driver-events`,
  driverEventsDeadLetter: `${kafkaNamespace}rideshare.driver-events.dlq`,
} as const;
