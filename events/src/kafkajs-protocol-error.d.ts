// kafkajs ships no types for its protocol error table; kafka-log.ts validates its shape at load.
declare module 'kafkajs/src/protocol/error.js' {
  export const errorCodes: unknown;
}
