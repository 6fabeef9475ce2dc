/** Documents are plain JSON; a bigint that slips into one is kept exact as a decimal string rather than failing the write. */
export const encodeDocument = (doc: unknown): string =>
  JSON.stringify(doc, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

export const decodeDocument = <T>(text: string): T => JSON.parse(text) as T;
