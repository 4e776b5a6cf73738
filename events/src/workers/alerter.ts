import mongoose from 'mongoose';
import { connectDatabase } from '@rideshare/common';
import {
  alertEmail,
  alertFor,
  alertModels,
  createDeliverer,
  deliveryId,
  enqueueDelivery,
  readAlertConfig,
  sendAlertEmail,
  sendWebhook,
  traceIdOf,
  webhookBody,
  type AlertChannel,
  type AlertConfig,
} from '../alerts';
import { runTripEventConsumer } from '../consumer';
import type { EventTopics } from '../contracts';
import { runWorker } from '../worker';

/** Consumer groups by the topic they read (before KAFKA_NAMESPACE): the KEDA scalers read them too. */
export const consumerGroups = { tripEvents: 'alerter' } as const satisfies Partial<EventTopics>;

/** Email to the admins, and one signed webhook per ALERT_WEBHOOK_URLS entry. */
export function alertChannels(config: AlertConfig): AlertChannel[] {
  const email: AlertChannel = {
    name: 'email',
    send: (id, alert, timeoutMs) => sendAlertEmail(config.email, alertEmail(id, alert), timeoutMs),
  };
  const secret = config.webhookSecret ?? '';
  const webhooks = config.webhooks.map((target): AlertChannel => ({
    name: target.channel,
    send: (id, alert, timeoutMs) => sendWebhook(target.url, secret, id, webhookBody(id, alert), timeoutMs),
  }));
  return [email, ...webhooks];
}

/**
 * The admin alerts (the seed's Logic App): a trip's outcome named by ALERT_ON becomes one delivery
 * per channel in the alerter's own database (a unique insert, so a redelivered event adds nothing),
 * and the deliverer (alerts/deliverer.ts) makes each exactly once barring the window it documents.
 * The Kafka offset moves on once the deliveries are recorded, so a slow receiver holds up no trip.
 */
if (require.main === module) {
  void runWorker('alerter', 4106, {
    config: (env) => readAlertConfig(env),
    setup: async ({ kafka, producer, log, infra }, config) => {
      const connection = await connectDatabase(infra.mongoUrl, config.database);
      const models = alertModels(connection);
      await Promise.all([models.Deliveries.init(), models.Claims.init()]);
      const channels = alertChannels(config);
      const deliverer = createDeliverer(models, channels, config, log);
      const consumer = await runTripEventConsumer({
        kafka,
        producer,
        groupId: consumerGroups.tripEvents,
        log,
        // Alerts are about trips ending from now on: a first deployment does not mail the history.
        fromBeginning: false,
        handle: async (event, message) => {
          const alert = alertFor(event, traceIdOf(message.headers), config);
          if (!alert) return;
          for (const channel of channels)
            await enqueueDelivery(models, deliveryId(alert, channel.name), channel.name, alert);
          deliverer.wake();
        },
      });
      return {
        ready: () => consumer.isRunning() && connection.readyState === mongoose.ConnectionStates.connected,
        // Closed in reverse: the consumer first, then the attempts under way, then the database.
        closers: [() => connection.close(), () => deliverer.stop(), () => consumer.stop()],
      };
    },
  });
}
