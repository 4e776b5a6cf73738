import { startTestSystem, type TestSystem } from '@rideshare/testing';

interface Readiness {
  status: string;
  subgraphs: Array<{ name: string; ok: boolean; error?: string }>;
}

const healthUrl = (system: TestSystem, path: string) => system.gatewayUrl.replace(/\/graphql$/, path);

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * Polls `probe` until `done` accepts its result; the readiness check caches its answer for a
 * second, so a change shows up within about that long.
 */
async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

const car = { make: 'Kia', model: 'Niro', year: 2022, color: 'White', licensePlate: 'RDY1' };

describe('gateway health and readiness', () => {
  let system: TestSystem;
  const ready = () => getJson<Readiness>(healthUrl(system, '/health/ready'));
  /** requestTrip for the seeded passenger R-P1 (it asks passengers), selecting `fields` of the trip. */
  const requestPiasTrip = (fields: string) =>
    system.query(
      `mutation {
        requestTrip(input: {
          passengerCode: "R-P1",
          source: { latitude: 47.6, longitude: -122.3 },
          destination: { latitude: 47.7, longitude: -122.2 }
        }) { ${fields} }
      }`,
    );

  beforeAll(async () => {
    system = await startTestSystem({}, { workers: false }); // the graph alone: no lifecycle workers move trips on
    const seeded = await system.query(
      `mutation ($driver: CreateDriverInput!, $passenger: RegisterPassengerInput!) {
        createDriver(input: $driver) { code }
        registerPassenger(input: $passenger) { code }
      }`,
      {
        driver: { code: 'R-D1', firstName: 'Rita', lastName: 'Ready', car },
        passenger: { code: 'R-P1', firstName: 'Pia', lastName: 'Ready', email: 'pia@example.com' },
      },
    );
    expect(seeded.errors).toBeUndefined();
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('should answer /health/live with 200', async () => {
    expect(await getJson(healthUrl(system, '/health/live'))).toEqual({
      status: 200,
      body: { status: 'ok', service: 'gateway' },
    });
  });

  it('should answer /health/ready with 200 when every subgraph and Redis answer', async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: {
        status: 'ready',
        redis: true,
        subgraphs: [
          { name: 'drivers', ok: true },
          { name: 'passengers', ok: true },
          { name: 'trips', ok: true },
        ],
      },
    });
  });

  describe('when the passengers subgraph stops and comes back on the same port', () => {
    let passengersPort: number;

    beforeAll(async () => {
      const passengers = system.services.get('passengers');
      if (!passengers) throw new Error('passengers is not running');
      passengersPort = passengers.port;
      expect(await passengers.stop()).toBe(0);
    });

    it('should report not ready with 503 naming passengers', async () => {
      const { status, body } = await pollUntil(ready, (r) => r.status !== 200);

      expect(status).toBe(503);
      expect(body.status).toBe('not ready');
      expect(body.subgraphs.map((s) => [s.name, s.ok])).toEqual([
        ['drivers', true],
        ['passengers', false],
        ['trips', true],
      ]);
      expect(body.subgraphs.find((s) => s.name === 'passengers')?.error).toEqual(expect.any(String));
    });

    it('should fail a query that needs passengers with a coded error from passengers', async () => {
      const res = await system.query(`{ passenger(code: "R-P1") { code email } }`);

      expect(res.data?.passenger ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        serviceName: 'passengers',
      });
      expect(res.errors?.[0]?.message).toContain('passengers');
    });

    it('should refuse requestTrip, which asks passengers, with a coded error and write nothing', async () => {
      const before = await system.query<{ tripStats: { total: number } }>(`{ tripStats { total } }`);

      const res = await requestPiasTrip('code');

      expect(res.data ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.extensions?.serviceName).toBe('trips');
      expect(res.errors?.[0]?.extensions?.code).toEqual(expect.any(String));
      expect(await system.query(`{ tripStats { total } }`)).toEqual(before);
    });

    it('should still answer a query that needs only drivers', async () => {
      const res = await system.query(`{ driver(code: "R-D1") { code firstName car { licensePlate } } }`);

      expect(res).toEqual({
        data: { driver: { code: 'R-D1', firstName: 'Rita', car: { licensePlate: 'RDY1' } } },
      });
    });

    it('should be ready again once passengers restarts on the same port, with its data', async () => {
      const restarted = await system.start('passengers', { PORT: String(passengersPort) });
      expect(restarted.port).toBe(passengersPort);

      const { status, body } = await pollUntil(ready, (r) => r.status === 200);

      expect(status).toBe(200);
      expect(body.subgraphs.every((s) => s.ok)).toBe(true);
      expect(await system.query(`{ passenger(code: "R-P1") { code email } }`)).toEqual({
        data: { passenger: { code: 'R-P1', email: 'pia@example.com' } },
      });
      // trips reaches passengers at the same URL again.
      const trip = await requestPiasTrip('status passenger { email }');
      expect(trip).toEqual({
        data: { requestTrip: { status: 'REQUESTED', passenger: { email: 'pia@example.com' } } },
      });
    });
  });
});
