/** The document both versioned-log suites store (the store suite leaves the location out). */
export interface Doc {
  _id: string;
  version?: number;
  name: string;
  location?: { latitude: number; longitude: number } | null;
  on: boolean;
}
