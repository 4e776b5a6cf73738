import type { ApolloServer } from '@apollo/server';
import { z } from 'zod';
import type { GatewayContext } from '../gateway';
import type { SignInPerson } from './local-token';

/** The identity the local sign-in lists people as (local mode only: it exists nowhere else). */
const LISTER = { role: 'admin', code: 'LOCAL-SIGN-IN' } as const;
const PEOPLE = `query SignInPeople {
  passengers(limit: 50) { code firstName lastName }
  drivers(limit: 50) { code firstName lastName car { color make model } }
}`;

const People = z.object({
  passengers: z.array(z.object({ code: z.string(), firstName: z.string(), lastName: z.string() })),
  drivers: z.array(
    z.object({
      code: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      car: z.object({ color: z.string(), make: z.string(), model: z.string() }),
    }),
  ),
});

/** Who the local sign-in screen offers: every passenger and driver (through the graph), and admin. */
export async function signInPeople(apollo: ApolloServer<GatewayContext>): Promise<SignInPerson[]> {
  const response = await apollo.executeOperation({ query: PEOPLE }, { contextValue: { identity: LISTER } });
  if (response.body.kind !== 'single') throw new Error('the sign-in list came back incremental');
  const { data, errors } = response.body.singleResult;
  if (errors?.length) throw new Error(`listing people to sign in as failed: ${errors[0]?.message}`);
  const { passengers, drivers } = People.parse(data);
  return [
    ...passengers.map((p) => ({
      role: 'passenger' as const,
      code: p.code,
      name: `${p.firstName} ${p.lastName}`,
      detail: '',
    })),
    ...drivers.map((d) => ({
      role: 'driver' as const,
      code: d.code,
      name: `${d.firstName} ${d.lastName}`,
      detail: `${d.car.color} ${d.car.make} ${d.car.model}`,
    })),
    { role: 'admin', code: 'ADMIN', name: 'Admin', detail: 'drivers, passengers, dashboard' },
  ];
}
