/** The media type the JSON Schema specification registers; clients that only know JSON still read it (+json). */
export const JSON_SCHEMA_CONTENT_TYPE = 'application/schema+json; charset=utf-8';

/** Contracts change only with a deployment: caches may keep them briefly. */
export const CONTRACT_CACHE_CONTROL = 'public, max-age=300';
