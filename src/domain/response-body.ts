// How a receiver's answer is shown and stored: a response body is bytes, shown as text only
// when it is valid UTF-8 that PostgreSQL and JSON can carry (no NUL), otherwise as base64 with
// the encoding named; header names and values are made storable in jsonb (which refuses NUL).

export type BodyEncoding = 'utf8' | 'base64';

export interface PresentedBody {
  body: string;
  bodyEncoding: BodyEncoding;
}

/**
 * `truncated`: the bytes are the start of a longer body, so a multi-byte character cut at the
 * end is not a reason to call the body binary (the incomplete character is left out of the text).
 */
export function presentBody(bytes: Uint8Array, truncated: boolean): PresentedBody {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: truncated });
    if (!text.includes('\u0000')) return { body: text, bodyEncoding: 'utf8' };
  } catch {
    // Invalid UTF-8: shown as base64 below.
  }
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), bodyEncoding: 'base64' };
}

/** A string PostgreSQL text and jsonb can store: NUL (refused by both) becomes U+FFFD. */
export function storableText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** Response headers as stored: one string per name, names and values storable. */
export function storableHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = storableText(name);
    const text = storableText(Array.isArray(value) ? value.join(', ') : value);
    flat[key] = key in flat ? `${flat[key]}, ${text}` : text;
  }
  return flat;
}

/** A declared content-length as a byte count, or null when absent or not a plain integer. */
export function declaredLength(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}
