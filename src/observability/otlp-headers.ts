/** `k1=v1,k2=v2` (the OTEL_EXPORTER_OTLP_HEADERS format, values URL-decoded) as an object. */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) throw new Error(`"${part.trim()}" is not key=value`);
    headers[decodeURIComponent(part.slice(0, at).trim())] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return headers;
}
