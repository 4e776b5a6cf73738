/** What the stack needs to know about one infrastructure service. */
export interface ManagedService {
  name: 'kafka' | 'postgres' | 'mongo' | 'redis' | 'zipkin' | 'maildev';
  /** The environment variable that points at an existing instance instead (KAFKA_BROKERS, MONGO_URL, REDIS_URL, SMTP_URL, OTEL_EXPORTER_ZIPKIN_ENDPOINT). */
  envVar: string;
  /** The value clients should use for envVar when the stack runs the service itself. */
  localValue: string;
  /** Ports that must be free before we start it. */
  ports: number[];
  /** Short description of what will run (e.g. "Apache Kafka 4.4.0 (KRaft)"). */
  describe(): string;
  /** Downloads or builds what is missing (cached per machine). */
  install(): Promise<void>;
  /** The command line; must mention the stack directory so `down` can tell our processes from others. */
  command(): {
    cmd: string;
    args: string[];
    /** Run as this user (PostgreSQL refuses root). */
    user?: { uid: number; gid: number };
    /** Added to the environment the stack runs in. */
    env?: Record<string, string>;
  };
  /** One-time preparation of the data directory (e.g. formatting Kafka storage). */
  prepare?(): Promise<void>;
  /** A real protocol-level health check against the given URL/brokers. */
  healthy(value: string): Promise<boolean>;
  startTimeoutMs: number;
  /** The signal that shuts it down cleanly (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** A service that must be healthy before this one starts. */
  after?: ManagedService['name'];
  /** False when nothing needs it in this configuration (e.g. PostgreSQL under an external MONGO_URL). */
  needed?(): boolean;
}
