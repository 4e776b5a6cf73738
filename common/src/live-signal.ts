import { z } from 'zod';
import { traceCarrierSchema } from './tracing/context';

/**
 * What a producer publishes on a live field's Redis channel, and all the gateway reads from it: the
 * entity's new version, the variables that resolve the update (e.g. the trip's code, when the channel
 * is a driver's offers), and the state fields a stream's end condition looks at. The gateway resolves
 * everything a subscriber sees through a federated query; a signal carries no payload.
 */
export const liveSignalSchema = z.object({
  version: z.number().int().min(1),
  variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  state: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  /** The trace context of the event behind the signal: the gateway's delivery span continues it. */
  trace: traceCarrierSchema.optional(),
});

export type LiveSignal = z.infer<typeof liveSignalSchema>;

/** Fills a channel template (`trip:{code}`) from named values; throws naming a missing one. */
export function fillChannel(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (typeof value === 'string' ? value === '' : typeof value !== 'number')
      throw new Error(`channel "${template}" needs a string or number for {${name}}`);
    return String(value);
  });
}

/** The names a channel template uses, in order. */
export const channelPlaceholders = (template: string): string[] =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
