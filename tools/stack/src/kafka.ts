import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir, repoRoot, stackDir, stackPorts } from './paths';
import { onPath, runOrThrow } from './proc';
import type { ManagedService } from './service';

/**
 * Apache Kafka from Maven Central, KRaft mode, one node. 4.4.0 is the newest release and kafkajs 2.2.4
 * works with it (produce with the idempotent producer, consumer groups, offset commits, admin topic
 * creation are covered by tests/kafka.e2e.ts). Override with KAFKA_VERSION.
 */
export const KAFKA_VERSION = process.env.KAFKA_VERSION ?? '4.4.0';

const libsDir = () => path.join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
const dataDir = () => path.join(stackDir(), 'kafka');

function serverProperties(): string {
  const ports = stackPorts();
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(dataDir(), 'data')}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // kafkajs creates topics explicitly; auto-creation under KRaft races with it.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

const log4j2 = `status = warn
appender.file.type = Console
appender.file.name = OUT
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
`;

export const kafkaService: ManagedService = {
  name: 'kafka',
  envVar: 'KAFKA_BROKERS',
  get localValue() {
    return `127.0.0.1:${stackPorts().kafka}`;
  },
  get ports() {
    const p = stackPorts();
    return [p.kafka, p.kafkaController];
  },
  describe: () => `Apache Kafka ${KAFKA_VERSION} (KRaft, Maven Central jars)`,
  startTimeoutMs: 90_000,

  async install() {
    if (fs.existsSync(path.join(libsDir(), `kafka_2.13-${KAFKA_VERSION}.jar`))) return;
    if (!onPath('mvn') || !onPath('java'))
      throw new Error(
        'Kafka needs Java 17+ and Maven on PATH (apt-get install openjdk-17-jre-headless maven), or set KAFKA_BROKERS to an existing broker',
      );
    const tmp = `${libsDir()}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`[stack] fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libsDir()}`);
    await runOrThrow(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(repoRoot, 'tools/stack/kafka/pom.xml'),
        'dependency:copy-dependencies',
        `-Dkafka.version=${KAFKA_VERSION}`,
        '-DincludeScope=runtime',
        `-DoutputDirectory=${tmp}`,
      ],
      'Kafka download',
    );
    fs.rmSync(libsDir(), { recursive: true, force: true });
    fs.renameSync(tmp, libsDir());
  },

  async prepare() {
    const dir = dataDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'server.properties'), serverProperties());
    fs.writeFileSync(path.join(dir, 'log4j2.properties'), log4j2);
    const idFile = path.join(dir, 'cluster-id');
    if (!fs.existsSync(idFile)) fs.writeFileSync(idFile, crypto.randomBytes(16).toString('base64url'));
    const clusterId = fs.readFileSync(idFile, 'utf8').trim();
    await runOrThrow(
      'java',
      [
        '-cp',
        `${libsDir()}/*`,
        `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
        'kafka.tools.StorageTool',
        'format',
        // One argument: a base64url id may begin with "-", which would read as an option after `-t`.
        `--cluster-id=${clusterId}`,
        '-c',
        path.join(dir, 'server.properties'),
        '--ignore-formatted',
      ],
      'Kafka storage format',
      { stdio: 'ignore' },
    );
  },

  command() {
    const dir = dataDir();
    return {
      cmd: 'java',
      args: [
        `-Xmx${process.env.KAFKA_HEAP ?? '768m'}`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
        `-Dkafka.logs.dir=${dir}`,
        '-cp',
        `${libsDir()}/*`,
        'kafka.Kafka',
        path.join(dir, 'server.properties'),
      ],
    };
  },

  async healthy(brokers: string) {
    const kafka = new Kafka({
      clientId: 'stack-health',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
