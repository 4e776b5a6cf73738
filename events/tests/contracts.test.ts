import {
  Kind,
  parse,
  valueFromASTUntyped,
  type EnumTypeDefinitionNode,
  type FieldDefinitionNode,
} from 'graphql';
import { channelPlaceholders, liveSignalSchema } from '@rideshare/common';
import { readSupergraph } from '@rideshare/schema';
import { tripSnapshot } from '@rideshare/testing';
import {
  createDriverLocationEvent,
  createTripEvent,
  driverLiveMessages,
  LIVE_CHANNELS,
  TERMINAL_TRIP_STATUSES,
  TRIP_EVENT_TYPES,
  TRIP_STATUSES,
  TRIP_TYPES,
  tripLiveMessages,
  type LiveMessage,
} from '../src/contracts';

// The contracts against the composed supergraph: renaming an enum value, a channel or an end condition
// in the SDL without the contracts (or the other way round) fails here.

const supergraph = parse(readSupergraph());

function enumValues(name: string): string[] {
  const node = supergraph.definitions.find(
    (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name,
  );
  if (!node) throw new Error(`the supergraph has no enum ${name}`);
  return (node.values ?? []).map((v) => v.name.value);
}

const subscriptionFields: readonly FieldDefinitionNode[] = supergraph.definitions.flatMap((d) =>
  d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Subscription' ? (d.fields ?? []) : [],
);

interface Live {
  channel: string;
  resolve: string;
  endField?: string;
  endValues?: string[];
  /** The field's own arguments. */
  args: string[];
}

function live(field: string): Live {
  const node = subscriptionFields.find((f) => f.name.value === field);
  const directive = node?.directives?.find((d) => d.name.value === 'live');
  if (!node || !directive) throw new Error(`Subscription.${field} has no @live`);
  const args = Object.fromEntries(
    (directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)] as const),
  );
  const text = (name: string) => (typeof args[name] === 'string' ? args[name] : undefined);
  const list = args.endValues;
  return {
    channel: text('channel') ?? '',
    resolve: text('resolve') ?? '',
    endField: text('endField'),
    endValues: Array.isArray(list) ? list.map(String) : undefined,
    args: (node.arguments ?? []).map((a) => a.name.value),
  };
}

const variablesOf = (query: string) =>
  parse(query).definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION
      ? (d.variableDefinitions ?? []).map((v) => v.variable.name.value)
      : [],
  );

const point = { latitude: 47.6, longitude: -122.3 };
const trip = tripSnapshot('K7QZ2M4P', { availableDriverCodes: ['D1', 'D2'] });
const offer = createTripEvent('DRIVERS_NOTIFIED', trip, 'urn:test', new Date());
const moved = createDriverLocationEvent({ code: 'D1', version: 7, location: point }, new Date());

const signalOf = (m: LiveMessage) => liveSignalSchema.parse(JSON.parse(m.message));

/** The channel a message went to matches the field's template with its variables filled in. */
const onChannelOf = (m: LiveMessage, template: string) => {
  const pattern = template.replace(/\{\w+\}/g, '[^:]+');
  return new RegExp(`^${pattern}$`).test(m.channel);
};

describe('event contracts against the supergraph', () => {
  it('should list the values of the trip enums', () => {
    expect([...TRIP_EVENT_TYPES]).toEqual(enumValues('TripEventType'));
    expect([...TRIP_STATUSES]).toEqual(enumValues('TripStatus'));
    expect([...TRIP_TYPES]).toEqual(enumValues('TripType'));
  });

  it("should end trips in the statuses that end tripUpdated's stream", () => {
    expect([...TERMINAL_TRIP_STATUSES].sort()).toEqual([...(live('tripUpdated').endValues ?? [])].sort());
  });

  it('should name each live field that has a channel in the contracts, and every live field', () => {
    const withLive = subscriptionFields
      .filter((f) => f.directives?.some((d) => d.name.value === 'live'))
      .map((f) => f.name.value);
    expect(Object.keys(LIVE_CHANNELS).sort()).toEqual(withLive.sort());
  });

  it.each(Object.entries(LIVE_CHANNELS))('should use the channel of %s', (field, template) => {
    expect(template).toBe(live(field).channel);
  });

  const published: Array<[string, LiveMessage[]]> = [
    ['tripUpdated', tripLiveMessages(offer).filter((m) => onChannelOf(m, LIVE_CHANNELS.tripUpdated))],
    ['tripOffers', tripLiveMessages(offer).filter((m) => onChannelOf(m, LIVE_CHANNELS.tripOffers))],
    ['driverLocationUpdated', driverLiveMessages(moved)],
  ];

  it.each(published)(
    "should publish signals for %s that carry every variable of its resolve query and its end field's state",
    (field, messages) => {
      const spec = live(field);
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        const signal = signalOf(message);
        // The gateway takes variables from the field's arguments, then the signal's, then $version.
        const provided = new Set([...spec.args, ...Object.keys(signal.variables), 'version']);
        expect(variablesOf(spec.resolve).filter((v) => !provided.has(v))).toEqual([]);
        if (spec.endField) expect(Object.keys(signal.state)).toContain(spec.endField);
        expect(channelPlaceholders(spec.channel).every((p) => spec.args.includes(p))).toBe(true);
      }
    },
  );

  it("should signal a trip event on the trip's channel, and an offer on each offered driver's", () => {
    const messages = tripLiveMessages(offer);
    expect(messages.map((m) => m.channel)).toEqual(['trip:K7QZ2M4P', 'driver-offers:D1', 'driver-offers:D2']);
    for (const m of messages)
      expect(signalOf(m)).toEqual({
        version: 2,
        variables: { code: 'K7QZ2M4P' },
        state: { status: trip.status },
      });
    const running = createTripEvent(
      'TRIP_RUNNING',
      { ...trip, status: 'RUNNING', version: 5 },
      'urn:test',
      new Date(),
    );
    expect(tripLiveMessages(running).map((m) => m.channel)).toEqual(['trip:K7QZ2M4P']);
  });

  it("should signal a driver's move on the driver's location channel", () => {
    expect(driverLiveMessages(moved).map((m) => [m.channel, signalOf(m)])).toEqual([
      ['driver-location:D1', { version: 7, variables: { code: 'D1' }, state: {} }],
    ]);
  });
});
