/** "1 min 12 s", "45 s", "1 h 3 min"; "—" when there is nothing to average. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  if (min > 0) return s > 0 ? `${min} min ${s} s` : `${min} min`;
  return `${s} s`;
}

/** What the admin pages show of anyone: drivers and passengers alike. */
export interface Person {
  code: string;
  firstName: string;
  lastName: string;
  createdAt: string;
  updatedAt: string;
}

export const fullName = (person: Pick<Person, 'firstName' | 'lastName'> | null | undefined) =>
  person ? `${person.firstName} ${person.lastName}` : '—';

export const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};

/** An hour bucket's label, in the viewer's time zone: "14:00". */
export const formatHour = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};
