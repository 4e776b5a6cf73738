/**
 * The admin pages (drivers, passengers, dashboard) in a real browser against the real system. The
 * admin signs in by clicking, as a person does; the tests' setup (more drivers, trips) goes through
 * the public graph as an admin. Each test saves its final page as a screenshot (.artifacts/screenshots).
 */
import type { Locator, Page } from 'playwright-core';
import { places, waitFor, type TestSystem } from '@rideshare/testing';
import { expectAccessible, finalScreenshot, signIn, startWebSystem, type WebSystem } from './browser-helpers';

const LIVE_TIMEOUT_MS = 30_000;

const CREATE_DRIVER = `mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }`;
const UPDATE_DRIVER = `mutation ($code: ID!, $input: UpdateDriverInput!) { updateDriver(code: $code, input: $input) { code } }`;
const UPDATE_PASSENGER = `mutation ($code: ID!, $input: UpdatePassengerInput!) { updatePassenger(code: $code, input: $input) { code } }`;

const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
const rowsOf = (table: Locator) => table.locator('tbody tr');
const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

describe('admin pages in a real browser', () => {
  let web: WebSystem;
  let system: TestSystem;
  let appUrl: string;

  /** A fresh tab, signed in as admin by clicking `sign-in-ADMIN`; it lands on the dashboard. */
  const openAsAdmin = async () => {
    const page = await web.open();
    await signIn(page, appUrl, 'ADMIN');
    expect(new URL(page.url()).pathname).toBe('/app/dashboard');
    return page;
  };
  /** Goes to an admin page through the main navigation (no reload). */
  const navigate = async (page: Page, label: 'Dashboard' | 'Drivers' | 'Passengers') => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };

  /** The data of a query that must succeed. */
  async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await system.query<T>(query, variables);
    if (res.errors || !res.data) throw new Error(`${query}: ${JSON.stringify(res.errors ?? res)}`);
    return res.data;
  }
  /** The message the server gives for a mutation that must fail: what the form has to show. */
  async function refusal(query: string, variables: Record<string, unknown>): Promise<string> {
    const res = await system.query(query, variables);
    const message = res.errors?.[0]?.message;
    if (!message) throw new Error(`expected ${query} to fail, got ${JSON.stringify(res)}`);
    return message;
  }
  const driverCodes = async () =>
    (await data<{ drivers: Array<{ code: string }> }>('{ drivers(limit: 200) { code } }')).drivers.map(
      (d) => d.code,
    );

  beforeAll(async () => {
    web = await startWebSystem();
    ({ system, appUrl } = web);
  }, 240_000);
  afterAll(() => web?.stop());
  afterEach(() => web.closePages());

  it('drivers: 10 a page with Next/Previous; Details shows the car in a modal that Escape closes', async () => {
    // Setup: more drivers than one page holds (the seed has six), not accepting rides, far from trips.
    for (let n = 1; (await driverCodes()).length < 12; n++) {
      await data(CREATE_DRIVER, {
        input: {
          code: `AB${200 + n}`,
          firstName: 'Extra',
          lastName: `Driver ${n}`,
          isAcceptingRides: false,
          car: { make: 'Skoda', model: 'Octavia', year: 2018, color: 'White', licensePlate: `PG-${n}` },
        },
      });
    }
    const codes = await driverCodes();
    expect(codes.length).toBeGreaterThanOrEqual(11);
    expect(codes.length).toBeLessThanOrEqual(20);

    const page = await openAsAdmin();
    await navigate(page, 'Drivers');
    const table = page.getByTestId('drivers-table');
    const codesShown = () => rowsOf(table).locator('td:first-child').allTextContents();
    await table.getByText('AA100', { exact: true }).waitFor();

    await expect(rowsOf(table).count()).resolves.toBe(10);
    await expect(codesShown()).resolves.toEqual(codes.slice(0, 10));
    await expect(text(page.getByTestId('page-info'))).resolves.toBe('Page 1 of 2');
    await expect(page.getByTestId('prev-page').isDisabled()).resolves.toBe(true);
    await expectAccessible(page, 'drivers page 1');

    await page.getByTestId('next-page').click();
    await page.getByTestId('page-info').getByText('Page 2 of 2').waitFor();
    await expect(codesShown()).resolves.toEqual(codes.slice(10));
    await expect(page.getByTestId('next-page').isDisabled()).resolves.toBe(true);
    // Next is disabled now: focus moved to Previous, not to <body>.
    await expect(isFocused(page.getByTestId('prev-page'))).resolves.toBe(true);

    await page.getByTestId('prev-page').click();
    await page.getByTestId('page-info').getByText('Page 1 of 2').waitFor();
    await expect(codesShown()).resolves.toEqual(codes.slice(0, 10));

    const details = page.getByTestId('details-AA100');
    await details.click();
    const dialog = page.getByRole('dialog', { name: 'Driver James Beaky' });
    await dialog.waitFor();
    await expect(text(dialog.getByTestId('driver-details'))).resolves.toContain('AA100');
    const car = dialog.getByTestId('car-card');
    await expect(car.getByRole('heading', { name: 'Car' }).count()).resolves.toBe(1);
    const carText = await text(car);
    for (const value of ['Toyota', 'Prius', '2021', 'Silver', 'RS-1001']) expect(carText).toContain(value);
    await expectAccessible(page, 'driver details modal');
    await finalScreenshot(page, 'admin-driver-details-modal');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    await expect(isFocused(details)).resolves.toBe(true);
    await expectAccessible(page, 'drivers after the modal');
    await finalScreenshot(page, 'admin-drivers-paged');
  });

  it("driver and passenger forms show the server's validation messages at the field, then save", async () => {
    const page = await openAsAdmin();
    await navigate(page, 'Drivers');
    const table = page.getByTestId('drivers-table');
    await table.getByText('AA100', { exact: true }).waitFor();

    // A new driver: the browser does not validate (novalidate, no required); the server does.
    await page.getByTestId('new-driver').click();
    const form = page.getByRole('dialog', { name: 'New driver' });
    await form.waitFor();
    const field = (label: string) => form.getByLabel(label, { exact: true });
    const input = {
      code: 'ZZ900',
      firstName: 'Nora',
      lastName: 'Kowalski',
      car: { make: 'Volvo', model: 'XC40', year: 1800, color: 'Grey', licensePlate: 'RS-9000' },
    };
    await field('Code (optional, generated when empty)').fill(input.code);
    await field('First name').fill(input.firstName);
    await field('Last name').fill(input.lastName);
    await field('Make').fill(input.car.make);
    await field('Model').fill(input.car.model);
    await field('Year').fill('1800');
    await field('Colour').fill(input.car.color);
    await field('Licence plate').fill(input.car.licensePlate);
    await page.getByTestId('save').click();

    const yearMessage = await refusal(CREATE_DRIVER, { input: { ...input, isAcceptingRides: true } });
    expect(yearMessage).toMatch(/^Invalid input\.car\.year/);
    const yearError = form.getByTestId('field-error-input.car.year');
    await yearError.waitFor();
    await expect(text(yearError)).resolves.toBe(yearMessage);
    const year = field('Year');
    await expect(year.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(year.getAttribute('aria-describedby')).resolves.toBe(await yearError.getAttribute('id'));
    await expect(isFocused(year)).resolves.toBe(true);
    await expect(form.getByTestId('form-errors').count()).resolves.toBe(0);
    await expectAccessible(page, 'new driver form with the year refused');
    await finalScreenshot(page, 'admin-new-driver-year-refused');

    // A fixed year and an empty first name: the new message replaces the old one.
    await year.fill('2022');
    await field('First name').fill('');
    await page.getByTestId('save').click();
    const nameMessage = await refusal(CREATE_DRIVER, {
      input: { ...input, firstName: '', car: { ...input.car, year: 2022 } },
    });
    expect(nameMessage).toMatch(/^Invalid input\.firstName/);
    const nameError = form.getByTestId('field-error-input.firstName');
    await nameError.waitFor();
    await expect(text(nameError)).resolves.toBe(nameMessage);
    await expect(field('First name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(yearError.count()).resolves.toBe(0);
    await expect(year.getAttribute('aria-invalid')).resolves.toBeNull();
    await expectAccessible(page, 'new driver form with the first name refused');

    // Valid: the form closes and the driver is in the table (sorted by code, so on the last page).
    await field('First name').fill(input.firstName);
    await page.getByTestId('save').click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Saved driver ZZ900.').waitFor();
    const created = await data<{ driver: { car: { year: number; licensePlate: string } } }>(
      '{ driver(code: "ZZ900") { car { year licensePlate } } }',
    );
    expect(created.driver.car).toEqual({ year: 2022, licensePlate: 'RS-9000' });
    const codes = await driverCodes();
    const lastPage = Math.ceil(codes.length / 10);
    expect(codes.indexOf('ZZ900')).toBeGreaterThanOrEqual((lastPage - 1) * 10);
    await page.getByTestId('page-info').getByText(`Page 1 of ${lastPage}`).waitFor();
    for (let n = 1; n < lastPage; n++) await page.getByTestId('next-page').click();
    await page.getByTestId('page-info').getByText(`Page ${lastPage} of ${lastPage}`).waitFor();
    const row = rowsOf(table).filter({ hasText: 'ZZ900' });
    await row.waitFor();
    await expect(text(row)).resolves.toMatch(/ZZ900\s*Nora Kowalski\s*Volvo XC40\s*yes/);

    // Editing a driver: the same server message at the field; closing keeps the stored car.
    await page.getByTestId('prev-page').click();
    await page.getByTestId('edit-AA110').click();
    const edit = page.getByRole('dialog', { name: 'Edit Rod Snow' });
    await edit.waitFor();
    await edit.getByLabel('Year', { exact: true }).fill('1800');
    await edit.getByTestId('save').click();
    const editMessage = await refusal(UPDATE_DRIVER, {
      code: 'AA110',
      input: {
        firstName: 'Rod',
        lastName: 'Snow',
        car: { make: 'Honda', model: 'Accord', year: 1800, color: 'Black', licensePlate: 'RS-1102' },
      },
    });
    await edit.getByTestId('field-error-input.car.year').waitFor();
    await expect(text(edit.getByTestId('field-error-input.car.year'))).resolves.toBe(editMessage);
    await edit.getByTestId('close-dialog').click();
    await edit.waitFor({ state: 'detached' });
    await expect(
      data<{ driver: { car: { year: number } } }>('{ driver(code: "AA110") { car { year } } }'),
    ).resolves.toEqual({ driver: { car: { year: 2020 } } });

    // A passenger's e-mail: the server's message at the field; then a valid edit of the mobile number.
    await navigate(page, 'Passengers');
    await page.getByTestId('passengers-table').getByText('PX1003', { exact: true }).waitFor();
    await page.getByTestId('edit-PX1003').click();
    const passenger = page.getByRole('dialog', { name: 'Edit Maya Chen' });
    await passenger.waitFor();
    const email = passenger.getByLabel('E-mail', { exact: true });
    await email.fill('not-an-email');
    await passenger.getByTestId('save').click();
    const emailMessage = await refusal(UPDATE_PASSENGER, {
      code: 'PX1003',
      input: { firstName: 'Maya', lastName: 'Chen', email: 'not-an-email', mobileNumber: '+1 206 555 0103' },
    });
    expect(emailMessage).toMatch(/^Invalid input\.email/);
    const emailError = passenger.getByTestId('field-error-input.email');
    await emailError.waitFor();
    await expect(text(emailError)).resolves.toBe(emailMessage);
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(isFocused(email)).resolves.toBe(true);
    await expectAccessible(page, 'passenger form with the e-mail refused');
    await finalScreenshot(page, 'admin-passenger-email-refused');

    await email.fill('maya.chen@example.com');
    await passenger.getByLabel('Mobile number (optional)', { exact: true }).fill('+1 206 555 0199');
    await passenger.getByTestId('save').click();
    await passenger.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Saved passenger PX1003.').waitFor();
    await expect(
      data<{ passenger: { email: string; mobileNumber: string } }>(
        '{ passenger(code: "PX1003") { email mobileNumber } }',
      ),
    ).resolves.toEqual({ passenger: { email: 'maya.chen@example.com', mobileNumber: '+1 206 555 0199' } });
    // The page shows the saved number too (it refetched the list).
    await page.getByTestId('details-PX1003').click();
    const shown = page.getByTestId('passenger-details');
    await shown.waitFor();
    await expect(text(shown)).resolves.toContain('+1 206 555 0199');
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    await finalScreenshot(page, 'admin-passenger-saved');
  });

  it('dashboard: counts by status, the per-hour chart, the average; active trips appear and go live', async () => {
    // Setup: one finished trip, so the chart and the average have something to show.
    const demo = await data<{ requestTrip: { code: string } }>(
      'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
      {
        input: {
          passengerCode: 'PX1001',
          source: places.microsoft,
          destination: places.redmond,
          type: 'DEMO',
        },
      },
    );
    const demoCode = demo.requestTrip.code;
    await waitFor(
      async () => {
        const { trip } = await data<{ trip: { status: string } }>(
          'query ($code: ID!) { trip(code: $code) { status } }',
          { code: demoCode },
        );
        if (trip.status !== 'COMPLETED') throw new Error(`trip ${demoCode} is ${trip.status}`);
        return trip;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `DEMO trip ${demoCode} to complete` },
    );

    const page = await openAsAdmin();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const count = async (testid: string) => Number(await text(page.getByTestId(testid)));
    await page.getByTestId('stats-total').waitFor();
    const statuses = await page
      .locator('[data-testid^="status-count-"]')
      .evaluateAll((cells) =>
        cells.map((c) => [
          c.getAttribute('data-testid')?.replace('status-count-', ''),
          Number(c.textContent),
        ]),
      );
    const byStatus = Object.fromEntries(statuses) as Record<string, number>;
    for (const status of [
      'REQUESTED',
      'DRIVERS_NOTIFIED',
      'DRIVER_ASSIGNED',
      'STARTED',
      'RUNNING',
      'COMPLETED',
      'ABORTED',
    ])
      expect(byStatus[status]).toBeGreaterThanOrEqual(0);
    const total = await count('stats-total');
    expect(total).toBeGreaterThanOrEqual(1);
    expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).toBe(total);
    expect(await count('stats-completed')).toBeGreaterThanOrEqual(1);
    expect(byStatus.COMPLETED).toBe(await count('stats-completed'));
    expect(byStatus.ABORTED).toBe(await count('stats-aborted'));
    await expect(text(page.getByTestId('stats-average'))).resolves.toMatch(/^\d+ (s|min|h)\b/);

    const chart = page.getByTestId('stats-chart');
    await expect(chart.count()).resolves.toBe(1);
    await expect(chart.evaluate((el) => el.tagName.toLowerCase())).resolves.toBe('svg');
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/over \d+ hours: [1-9]\d* completed/);
    const bars = await chart
      .locator('rect.completed')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(bars.some((h) => h > 0)).toBe(true);
    await expectAccessible(page, 'dashboard');

    // Live: a trip requested now shows up, and leaves once cancelled, without reloading the page.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    const abortedBefore = await count('stats-aborted');
    const normal = await data<{ requestTrip: { code: string } }>(
      'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
      {
        input: {
          passengerCode: 'PX1002',
          source: places.microsoft,
          destination: places.redmond,
          type: 'NORMAL',
        },
      },
    );
    const code = normal.requestTrip.code;
    const row = page.getByTestId(`active-trip-${code}`);
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await expect(text(row)).resolves.toMatch(
      new RegExp(`^${code}\\s*(Requested|Drivers notified)\\s*Normal\\s*Liam Ortiz`),
    );
    await expectAccessible(page, 'dashboard with an active trip');
    await finalScreenshot(page, 'admin-dashboard-active-trip');

    await data('mutation ($code: ID!) { cancelTrip(code: $code, reason: "admin test") { code } }', { code });
    await row.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    await waitFor(async () => (await count('stats-aborted')) === abortedBefore + 1, {
      timeoutMs: LIVE_TIMEOUT_MS,
      what: 'the aborted count to go up by one',
    });
    await expect(page.evaluate(() => 'stillTheSamePage' in window)).resolves.toBe(true);
    await expectAccessible(page, 'dashboard after the cancel');
    await finalScreenshot(page, 'admin-dashboard');
  });
});
