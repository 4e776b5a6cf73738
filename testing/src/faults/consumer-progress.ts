import { kafkaNames, testKafka } from '../trip-testing';

/** Every consumer group of the trip-events topic. */
export const TRIP_EVENT_GROUPS = [
  'trips-orchestrator',
  'trips-reporting',
  'simulator',
  'archiver',
  'notifier',
];

/** The end offset of each partition of a test system's trip-events topic. */
export type TopicEnds = Map<number, number>;

/**
 * Reads the topic's end offsets; a fresh admin client each time, since the broker itself may just have
 * been restarted.
 */
export async function topicEnds(prefix: string): Promise<TopicEnds> {
  const admin = testKafka('fault-suite-ends').admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(kafkaNames(prefix).topic);
    return new Map(ends.map((e) => [e.partition, Number(e.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** The groups that have not yet committed every partition up to `ends` (empty: all caught up). */
export async function groupsBehind(
  prefix: string,
  ends: TopicEnds,
  groups = TRIP_EVENT_GROUPS,
): Promise<string[]> {
  const names = kafkaNames(prefix);
  const admin = testKafka('fault-suite-lag').admin();
  await admin.connect();
  try {
    const behind: string[] = [];
    for (const group of groups) {
      const [committed] = await admin.fetchOffsets({ groupId: names.group(group), topics: [names.topic] });
      const lagging = [...ends].some(([partition, end]) => {
        const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
        return end > Math.max(at, 0);
      });
      if (lagging) behind.push(group);
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

/** How many members each consumer group of the trip-events topic has now. */
export async function groupMembers(prefix: string, groups = TRIP_EVENT_GROUPS): Promise<Map<string, number>> {
  const names = kafkaNames(prefix);
  const admin = testKafka('fault-suite-members').admin();
  await admin.connect();
  try {
    const described = await admin.describeGroups(groups.map((g) => names.group(g)));
    return new Map(
      groups.map((g) => [g, described.groups.find((d) => d.groupId === names.group(g))?.members.length ?? 0]),
    );
  } finally {
    await admin.disconnect();
  }
}
