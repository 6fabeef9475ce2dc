/**
 * Value shapes shared by every event. Timestamps are ISO-8601 strings so that
 * events stay plain JSON; the domain never reads a clock.
 */

/** How precisely a party or the ledger knows when something happened or was said. */
export const TIME_PRECISIONS = ['exact', 'day', 'week', 'month', 'approximate'] as const;
export type TimePrecision = (typeof TIME_PRECISIONS)[number];

/** A point in time as known, e.g. "said on 2019-06-01, to the day". */
export interface PointInTime {
  at: string;
  precision: TimePrecision;
}

/** A closed interval with its precision (UCDP's date_prec in spirit). */
export interface TimeInterval {
  from: string;
  to: string;
  precision: TimePrecision;
}

/** How precisely a place is known (UCDP's where_prec, coarsened). */
export const PLACE_PRECISIONS = ['exact', 'settlement', 'district', 'region', 'country', 'approximate'] as const;
export type PlacePrecision = (typeof PLACE_PRECISIONS)[number];

export interface Coordinates {
  lat: number;
  lon: number;
}

export interface Place {
  name: string;
  precision: PlacePrecision;
  coordinates?: Coordinates;
}

/** A number as parties report it: a best figure with an optional range. */
export interface Estimate {
  best: number;
  low?: number;
  high?: number;
}

/** The words a party used, as the ledger has them. */
export interface Statement {
  text: string;
  /** true when `text` is a verbatim quote, false when it is the recorder's paraphrase. */
  verbatim: boolean;
  language?: string;
}

/** The document that carries a statement: who published it, when and where. */
export interface Source {
  title: string;
  publisher: string;
  url?: string;
  publishedAt?: string;
  /** The exact span of the source the entry rests on. */
  quote?: string;
}
