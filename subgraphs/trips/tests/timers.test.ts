import { isDue, slotOf, slotsToScan, timerSlotOf, TIMER_SLOT_MS } from '../src/lifecycle/timers';

const at = (slot: number, offsetMs = 0) => new Date(slot * TIMER_SLOT_MS + offsetMs);

describe('trip timer slots', () => {
  it('should file an offered trip under its accept deadline and a monitored one under its next check', () => {
    const deadline = at(1000, 300);
    expect(timerSlotOf({ status: 'DRIVERS_NOTIFIED', acceptDeadline: deadline, nextMonitorAt: null })).toBe(
      1000,
    );
    expect(timerSlotOf({ status: 'RUNNING', acceptDeadline: deadline, nextMonitorAt: at(2000) })).toBe(2000);
    expect(
      timerSlotOf({ status: 'COMPLETED', acceptDeadline: deadline, nextMonitorAt: at(2000) }),
    ).toBeNull();
    expect(timerSlotOf({ status: 'REQUESTED', acceptDeadline: null, nextMonitorAt: null })).toBeNull();
  });

  it('should scan from just before the last slot covered up to the current one', () => {
    expect(slotsToScan(100, at(103, 10))).toEqual([98, 99, 100, 101, 102, 103]);
    expect(slotsToScan(undefined, at(50))).toEqual([48, 49, 50]);
  });

  it('should leave a long gap to the sweep, scanning at most the last minute of slots', () => {
    const slots = slotsToScan(0, at(10_000));
    expect(slots).toHaveLength(60);
    expect(slots[slots.length - 1]).toBe(10_000);
  });

  it('should call a deadline due once it has passed, not before', () => {
    const trip = { status: 'DRIVERS_NOTIFIED' as const, acceptDeadline: at(5, 500), nextMonitorAt: null };
    expect(isDue(trip, at(5, 499))).toBe(false);
    expect(isDue(trip, at(5, 500))).toBe(true);
    expect(slotOf(at(5, 999))).toBe(5);
  });
});
