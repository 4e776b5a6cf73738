// The package ships no types; what it returns is checked by prometheus.ts.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown;
}
