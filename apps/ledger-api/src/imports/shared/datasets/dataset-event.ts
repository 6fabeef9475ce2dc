/**
 * One row of a published conflict-event dataset, read into one shape for both layouts (ACLED, UCDP GED) before it
 * becomes ledger commands. Every value keeps what the dataset said, its precision code included: the ledger maps
 * them, it does not round them away.
 */
export type DatasetName = 'acled' | 'ucdp-ged';

export interface DatasetEvent {
  dataset: DatasetName;
  /** The dataset's own stable id of the event (ACLED event_id_cnty, UCDP GED id): the import's key. */
  eventId: string;
  /** 1-based line of the file where the row ends (a quoted field may span several lines). */
  line: number;
  occurred: {
    /** First and last day (ISO dates); equal for a one-day event. */
    start: string;
    end: string;
    /** The dataset's own code (ACLED time_precision 1–3, UCDP date_prec 1–5). */
    precisionCode: number;
    precision: 'day' | 'days' | 'week' | 'month' | 'year';
  };
  place: {
    name: string;
    admin1?: string;
    admin2?: string;
    country: string;
    /** The dataset's own code (ACLED geo_precision 1–3, UCDP where_prec 1–7). */
    precisionCode: number;
    coordinates?: { latitude: number; longitude: number };
  };
  /** ACLED's taxonomy (UCDP rows carry type_of_violence instead). */
  acled?: {
    disorderType?: string;
    eventType: string;
    subEventType: string;
    /** ACLED's actor type code of actor1 (inter1: 1 state forces … 8 external/other forces). */
    inter1?: string;
    interaction?: string;
    civilianTargeting?: boolean;
  };
  ucdp?: { typeOfViolence: 1 | 2 | 3; conflictName?: string; dyadName?: string; eventClarity?: number };
  actors: Array<{ name: string; role: 'actor1' | 'actor2' | 'associated-actor1' | 'associated-actor2' | 'side-a' | 'side-b' }>;
  fatalities: {
    best: number;
    low?: number;
    high?: number;
    /** UCDP's split of the best estimate. */
    bySide?: { sideA: number; sideB: number; civilians: number; unknown: number };
  };
  sources: Array<{ name: string; date?: string; headline?: string; originator?: string }>;
  notes?: string;
  tags: string[];
  /** ACLED's `timestamp`: when the row was last changed in the dataset (ISO). */
  revisedAt?: string;
}

/** A row that could not be read, and why; the other rows are read on. */
export interface DatasetRowProblem {
  line: number;
  eventId?: string;
  column?: string;
  problem: string;
}

export type DatasetRow = { ok: true; event: DatasetEvent } | { ok: false; problem: DatasetRowProblem };
