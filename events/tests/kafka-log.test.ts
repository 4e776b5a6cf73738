import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from '../src/kafka-log';

// Which kafkajs log lines reach our logs at their own level, and which are routine (debug).
describe('kafkaLogLevel', () => {
  const response = (error: string) => ({
    message: 'Response InitProducerId(key: 22, version: 1)',
    error,
    correlationId: 2,
  });

  it('demotes an error response kafkajs retries, by its own table of protocol errors', () => {
    const loading = "The coordinator is loading and hence can't process requests for this group";
    expect(kafkaLogLevel(logLevel.ERROR, response(loading))).toBe('debug');
    expect(
      kafkaLogLevel(logLevel.ERROR, response('This is not the correct coordinator for this group')),
    ).toBe('debug');
  });

  it('keeps an error response that is not retried, and any other error, at error', () => {
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        response('Not authorized to access topics: [Topic authorization failed]'),
      ),
    ).toBe('error');
    // The same words outside a response line are not kafkajs retrying a request.
    expect(
      kafkaLogLevel(logLevel.ERROR, {
        message: 'Crash: KafkaJSProtocolError',
        error: "The coordinator is loading and hence can't process requests for this group",
      }),
    ).toBe('error');
  });

  it('demotes the bounded-retries warning of every idempotent producer, and keeps other warnings', () => {
    expect(
      kafkaLogLevel(logLevel.WARN, {
        message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      }),
    ).toBe('debug');
    expect(kafkaLogLevel(logLevel.WARN, { message: 'Connection timeout' })).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, { message: 'Consumer has joined the group' })).toBe('info');
  });
});
