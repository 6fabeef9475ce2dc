import { createContext, useContext, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { components } from '../generated/api-schema';
import { authedFetch, clientFor, useLedger } from './ledger-client';
import type { PartyClaim, TimelineEntry, VersionsDoc } from './model/api-types';
import { fieldErrorsOf, SubmissionKeys, writeHeaders, type FieldErrors, type Problem } from './model/submission';
import { ASSERTION_FIELDS } from './model/api-types';
import { ErrorNote, href, must, useAllParties, useLoad, useParties } from './ui-kit';

type S = components['schemas'];
type Values = Record<string, string | boolean | string[]>;

const TIME_PRECISIONS = ['exact', 'day', 'week', 'month', 'approximate'] as const;
const PLACE_PRECISIONS = ['exact', 'settlement', 'district', 'region', 'country', 'approximate'] as const;
// ACLED's event types and sub-event types (the ledger's taxonomy of incidents; tags say the rest).
const EVENT_TYPES = ['battles', 'explosions-remote-violence', 'violence-against-civilians', 'protests', 'riots', 'strategic-developments'] as const;
const SUB_EVENT_TYPES = [
  'armed-clash',
  'government-regains-territory',
  'non-state-actor-overtakes-territory',
  'air-drone-strike',
  'shelling-artillery-missile-attack',
  'remote-explosive-landmine-ied',
  'suicide-bomb',
  'grenade',
  'chemical-weapon',
  'attack',
  'abduction-forced-disappearance',
  'sexual-violence',
  'peaceful-protest',
  'protest-with-intervention',
  'excessive-force-against-protesters',
  'violent-demonstration',
  'mob-violence',
  'agreement',
  'arrests',
  'change-to-group-activity',
  'disrupted-weapons-use',
  'headquarters-or-base-established',
  'looting-property-destruction',
  'non-violent-transfer-of-territory',
  'other',
] as const;
const PARTY_KINDS = [
  'state',
  'government-body',
  'armed-force',
  'armed-group',
  'mediator',
  'company',
  'international-organisation',
  'investigative-body',
  'court-or-tribunal',
  'intelligence-service',
  'media',
  'ngo',
  'individual',
] as const;

interface FormCtx {
  values: Values;
  set: (name: string, value: string | boolean | string[]) => void;
  errors: FieldErrors;
  known: Set<string>;
}
const Ctx = createContext<FormCtx | undefined>(undefined);
const useForm = () => useContext(Ctx)!;

const fieldId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9]+/g, '-')}`;

/** A labelled input whose problem+json errors appear right under it (and are announced). */
const Field = ({ name, label, children, hint }: { name: string; label: string; hint?: string; children: (p: { id: string; name: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode }) => {
  const { errors, known } = useForm();
  known.add(name);
  const id = fieldId(name);
  const messages = errors.byField[name] ?? [];
  const described = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={messages.length ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, ...(messages.length ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {messages.length > 0 && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {messages.join('; ')}
        </p>
      )}
    </div>
  );
};

const Text = ({ name, label, hint, required, type = 'text', multiline }: { name: string; label: string; hint?: string; required?: boolean; type?: string; multiline?: boolean }) => {
  const { values, set } = useForm();
  return (
    <Field name={name} label={label} hint={hint}>
      {(p) =>
        multiline ? (
          <textarea {...p} required={required} value={String(values[name] ?? '')} onChange={(e) => set(name, e.target.value)} rows={3} />
        ) : (
          <input {...p} type={type} required={required} value={String(values[name] ?? '')} onChange={(e) => set(name, e.target.value)} step={type === 'number' ? 'any' : undefined} />
        )
      }
    </Field>
  );
};

const Select = ({ name, label, options, required }: { name: string; label: string; options: readonly (string | [string, string])[]; required?: boolean }) => {
  const { values, set } = useForm();
  return (
    <Field name={name} label={label}>
      {(p) => (
        <select {...p} required={required} value={String(values[name] ?? '')} onChange={(e) => set(name, e.target.value)}>
          <option value="">choose…</option>
          {options.map((o) => {
            const [value, text] = typeof o === 'string' ? [o, o] : o;
            return (
              <option key={value} value={value}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
};

const Check = ({ name, label }: { name: string; label: string }) => {
  const { values, set } = useForm();
  return (
    <div className="check">
      <input id={fieldId(name)} type="checkbox" name={name} checked={values[name] === true} onChange={(e) => set(name, e.target.checked)} />
      <label htmlFor={fieldId(name)}>{label}</label>
    </div>
  );
};

/** Several parties (or other choices) ticked from a list, not typed. */
const MultiPick = ({ name, legend, options }: { name: string; legend: string; options: [string, string][] }) => {
  const { values, set, errors, known } = useForm();
  known.add(name);
  const picked = (values[name] as string[] | undefined) ?? [];
  const messages = errors.byField[name] ?? [];
  return (
    <fieldset className={messages.length ? 'multi invalid' : 'multi'} aria-describedby={messages.length ? `${fieldId(name)}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map(([value, text]) => (
        <div className="check" key={value}>
          <input
            id={`${fieldId(name)}-${value}`}
            type="checkbox"
            checked={picked.includes(value)}
            onChange={(e) => set(name, e.target.checked ? [...picked, value] : picked.filter((v) => v !== value))}
          />
          <label htmlFor={`${fieldId(name)}-${value}`}>{text}</label>
        </div>
      ))}
      {messages.length > 0 && (
        <p id={`${fieldId(name)}-error`} className="field-error" role="alert">
          {messages.join('; ')}
        </p>
      )}
    </fieldset>
  );
};

const PartyPicker = ({ name = 'partyId', label = 'Party speaking' }: { name?: string; label?: string }) => {
  const { parties } = useAllParties();
  return <Select name={name} label={label} required options={parties.map((p) => [p.partyId, p.name] as [string, string])} />;
};

const PointInTimeFields = ({ name, legend }: { name: string; legend: string }) => (
  <fieldset>
    <legend>{legend}</legend>
    <Text name={`${name}.at`} label="Date or date-time" hint="ISO-8601: 2019-06-01 or 2019-06-01T09:30:00Z" required />
    <Select name={`${name}.precision`} label="Precision" options={TIME_PRECISIONS} required />
  </fieldset>
);

const IntervalFields = ({ name, legend }: { name: string; legend: string }) => (
  <fieldset>
    <legend>{legend}</legend>
    <Text name={`${name}.from`} label="From" hint="ISO-8601 date or date-time" />
    <Text name={`${name}.to`} label="To" />
    <Select name={`${name}.precision`} label="Precision" options={TIME_PRECISIONS} />
  </fieldset>
);

const PlaceFields = ({ name, legend }: { name: string; legend: string }) => (
  <fieldset>
    <legend>{legend}</legend>
    <Text name={`${name}.name`} label="Place" />
    <Select name={`${name}.precision`} label="Precision" options={PLACE_PRECISIONS} />
    <Text name={`${name}.coordinates.lat`} label="Latitude (optional)" type="number" />
    <Text name={`${name}.coordinates.lon`} label="Longitude (optional)" type="number" />
  </fieldset>
);

const StatementFields = ({ legend, optional }: { legend: string; optional?: boolean }) => (
  <fieldset>
    <legend>{legend}</legend>
    <Text name="statement.text" label={optional ? 'Words (optional)' : 'Words'} multiline required={!optional} />
    <Check name="statement.verbatim" label="Verbatim quote (unticked: the recorder's paraphrase)" />
    <Text name="statement.language" label="Language (BCP 47, optional)" />
  </fieldset>
);

const SourceFields = () => (
  <fieldset>
    <legend>Source</legend>
    <Text name="source.title" label="Title" required />
    <Text name="source.publisher" label="Publisher" required />
    <Text name="source.url" label="URL (optional)" type="url" />
    <Text name="source.publishedAt" label="Published (optional)" hint="ISO-8601 date" />
  </fieldset>
);

/** Structured assertions with pickers: each point is included only when its box is ticked. */
const AssertionsPicker = ({ casualtyRows, setCasualtyRows }: { casualtyRows: number; setCasualtyRows: (n: number) => void }) => {
  const { values } = useForm();
  const { parties } = useAllParties();
  const partyOptions = parties.map((p) => [p.partyId, p.name] as [string, string]);
  // Civilians and unknowns are a category of victims, not a side: a group may have no side at all (passengers).
  // Left on "choose…", a group has no side or no category.
  const sides = partyOptions;
  const categories = [['civilians', 'Civilians'], ['combatants', 'Combatants'], ['unknown', 'Unknown']] as [string, string][];
  return (
    <fieldset>
      <legend>Structured assertions</legend>
      <Check name="with.responsibleParties" label="Says who is responsible" />
      {values['with.responsibleParties'] === true && <MultiPick name="assertions.responsibleParties" legend="Responsible parties (none ticked: names nobody)" options={partyOptions} />}
      <Check name="with.ceasefire" label="Says whether the ceasefire was violated" />
      {values['with.ceasefire'] === true && (
        <>
          <Select name="assertions.ceasefire.violated" label="Ceasefire" options={[['true', 'violated'], ['false', 'not violated']]} />
          {values['assertions.ceasefire.violated'] === 'true' && <MultiPick name="assertions.ceasefire.by" legend="Violated by" options={partyOptions} />}
        </>
      )}
      <Check name="with.casualties" label="Gives casualty figures" />
      {values['with.casualties'] === true && (
        <>
          {Array.from({ length: casualtyRows }, (_, i) => (
            <fieldset key={i} className="casualty">
              <legend>Casualties, group {i + 1}</legend>
              <Select name={`assertions.casualties.${i}.side`} label="Side" options={sides} />
              <Select name={`assertions.casualties.${i}.category`} label="Category" options={categories} />
              <Text name={`assertions.casualties.${i}.nationality`} label="Nationality (optional)" hint="ISO code: NL, MY, AU" />
              {(['killed', 'wounded'] as const).map((k) => (
                <div className="estimate" key={k}>
                  <Text name={`assertions.casualties.${i}.${k}.best`} label={`${k}: best`} type="number" />
                  <Text name={`assertions.casualties.${i}.${k}.low`} label="low" type="number" />
                  <Text name={`assertions.casualties.${i}.${k}.high`} label="high" type="number" />
                </div>
              ))}
            </fieldset>
          ))}
          <button type="button" onClick={() => setCasualtyRows(casualtyRows + 1)}>
            Add a group
          </button>
          {casualtyRows > 1 && (
            <button type="button" onClick={() => setCasualtyRows(casualtyRows - 1)}>
              Remove the last group
            </button>
          )}
        </>
      )}
      <Check name="with.occurred" label="Says when it happened" />
      {values['with.occurred'] === true && <IntervalFields name="assertions.occurred" legend="When, according to the party" />}
      <Check name="with.location" label="Says where it happened" />
      {values['with.location'] === true && <PlaceFields name="assertions.location" legend="Where, according to the party" />}
    </fieldset>
  );
};

// Turning the flat form values into the generated request types.
const str = (v: Values, k: string): string => String(v[k] ?? '').trim();
const opt = (v: Values, k: string): string | undefined => str(v, k) || undefined;
const num = (v: Values, k: string): number | undefined => (str(v, k) === '' ? undefined : Number(str(v, k)));
const clean = <T,>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

const pointOf = (v: Values, k: string): S['PointInTimeDto'] => ({ at: str(v, `${k}.at`), precision: str(v, `${k}.precision`) as S['PointInTimeDto']['precision'] });
const intervalOf = (v: Values, k: string): S['TimeIntervalDto'] => ({ from: str(v, `${k}.from`), to: str(v, `${k}.to`), precision: str(v, `${k}.precision`) as S['TimeIntervalDto']['precision'] });
const placeOf = (v: Values, k: string): S['PlaceDto'] => {
  const lat = num(v, `${k}.coordinates.lat`);
  const lon = num(v, `${k}.coordinates.lon`);
  return { name: str(v, `${k}.name`), precision: str(v, `${k}.precision`) as S['PlaceDto']['precision'], ...(lat !== undefined || lon !== undefined ? { coordinates: { lat: lat as number, lon: lon as number } } : {}) };
};
const statementOf = (v: Values): S['StatementDto'] => ({ text: str(v, 'statement.text'), verbatim: v['statement.verbatim'] === true, language: opt(v, 'statement.language') });
const sourceOf = (v: Values): S['SourceDto'] => ({ title: str(v, 'source.title'), publisher: str(v, 'source.publisher'), url: opt(v, 'source.url'), publishedAt: opt(v, 'source.publishedAt') });
const estimateOf = (v: Values, k: string): S['EstimateDto'] | undefined =>
  num(v, `${k}.best`) === undefined && num(v, `${k}.low`) === undefined && num(v, `${k}.high`) === undefined ? undefined : { best: num(v, `${k}.best`) as number, low: num(v, `${k}.low`), high: num(v, `${k}.high`) };
const assertionsOf = (v: Values, casualtyRows: number): S['AssertionsDto'] | undefined => {
  const a: S['AssertionsDto'] = {};
  if (v['with.responsibleParties'] === true) a.responsibleParties = (v['assertions.responsibleParties'] as string[] | undefined) ?? [];
  if (v['with.ceasefire'] === true) {
    const violated = str(v, 'assertions.ceasefire.violated') === 'true';
    a.ceasefire = { violated, ...(violated ? { by: (v['assertions.ceasefire.by'] as string[] | undefined) ?? [] } : {}) };
  }
  if (v['with.casualties'] === true)
    a.casualties = Array.from({ length: casualtyRows }, (_, i) => ({
      side: opt(v, `assertions.casualties.${i}.side`),
      category: opt(v, `assertions.casualties.${i}.category`) as S['CasualtyReportDto']['category'],
      nationality: opt(v, `assertions.casualties.${i}.nationality`),
      killed: estimateOf(v, `assertions.casualties.${i}.killed`),
      wounded: estimateOf(v, `assertions.casualties.${i}.wounded`),
    }));
  if (v['with.occurred'] === true) a.occurred = intervalOf(v, 'assertions.occurred');
  if (v['with.location'] === true) a.location = placeOf(v, 'assertions.location');
  return Object.keys(a).length > 0 ? a : undefined;
};

export type RecordKind = 'incident' | 'party' | 'claim' | 'deny' | 'correct' | 'retract' | 'amend';

const TITLES: Record<RecordKind, string> = {
  incident: 'Report an incident',
  party: 'Register a party',
  claim: 'Record a claim',
  deny: 'Record a denial',
  correct: "Record the claimant's correction",
  retract: "Record the claimant's retraction",
  amend: "Amend the ledger's own transcription",
};

interface Conflict {
  currentRevision?: string;
  since: TimelineEntry[];
}

/**
 * One recording form. It remembers the incident revision it was opened on and sends it as If-Match, so a write made
 * meanwhile by someone else comes back as 409 and the conflict view shows what changed; each submission carries one
 * Idempotency-Key, reused when the same body is sent again (a double click, a retry after a lost answer).
 */
const RecordForm = ({ kind, incident, claim }: { kind: RecordKind; incident?: VersionsDoc; claim?: PartyClaim }) => {
  const { session } = useLedger();
  const { nameOf, reload: reloadParties } = useParties();
  const initial: Values = {
    'statement.verbatim': false,
    ...(claim && (kind === 'correct' || kind === 'retract') ? { partyId: claim.partyId } : {}),
    ...(kind === 'amend' ? { 'entry.kind': 'claim' } : {}),
  };
  const [values, setValues] = useState<Values>(initial);
  const [casualtyRows, setCasualtyRows] = useState(1);
  const [errors, setErrors] = useState<FieldErrors>({ byField: {}, general: [] });
  const [conflict, setConflict] = useState<Conflict>();
  const [done, setDone] = useState<{ location: string | null; status: number }>();
  const [busy, setBusy] = useState(false);
  const opened = useRef({ revision: incident?.revision, position: incident?.lastPosition });
  const keys = useMemo(() => new SubmissionKeys(() => crypto.randomUUID()), []);
  const known = new Set<string>();
  const set = (name: string, value: string | boolean | string[]) => setValues((v) => ({ ...v, [name]: value }));

  const build = (): { path: string; body: unknown; conditional: boolean } => {
    const v = values;
    const i = incident?.incidentId ?? '';
    const c = claim?.claimId ?? '';
    switch (kind) {
      case 'incident':
        return { path: '/incidents', conditional: false, body: { title: str(v, 'title'), summary: str(v, 'summary'), category: {
            eventType: str(v, 'category.eventType') as S['IncidentCategoryDto']['eventType'],
            subEventType: opt(v, 'category.subEventType') as S['IncidentCategoryDto']['subEventType'],
            tags: str(v, 'category.tags').split(',').map((t) => t.trim()).filter(Boolean),
          }, occurred: intervalOf(v, 'occurred'), location: placeOf(v, 'location') } satisfies S['ReportIncidentDto'] };
      case 'party': {
        const aff = opt(v, 'affiliation.description');
        const aliases = str(v, 'aliases').split(',').map((s) => s.trim()).filter(Boolean);
        const description = opt(v, 'description');
        return {
          path: '/parties',
          conditional: false,
          body: { partyId: str(v, 'partyId'), name: str(v, 'name'), kind: str(v, 'kind') as S['RegisterPartyDto']['kind'], ...(description ? { description } : {}), ...(aff ? { affiliation: { description: aff, partyId: opt(v, 'affiliation.partyId') } } : {}), ...(aliases.length ? { aliases } : {}) } satisfies S['RegisterPartyDto'],
        };
      }
      case 'claim': {
        const answers = (v.answers as string[] | undefined) ?? [];
        return { path: `/incidents/${i}/claims`, conditional: true, body: { partyId: str(v, 'partyId'), statement: statementOf(v), statedAt: pointOf(v, 'statedAt'), source: sourceOf(v), ...(answers.length ? { answers } : {}), assertions: assertionsOf(v, casualtyRows) } satisfies S['MakeClaimDto'] };
      }
      case 'deny':
        return { path: `/incidents/${i}/claims/${c}/denials`, conditional: true, body: { partyId: str(v, 'partyId'), statement: statementOf(v), statedAt: pointOf(v, 'statedAt'), source: sourceOf(v), deniedAssertions: (v.deniedAssertions as S['DenyClaimDto']['deniedAssertions']) ?? [] } satisfies S['DenyClaimDto'] };
      case 'correct':
        return { path: `/incidents/${i}/claims/${c}/corrections`, conditional: true, body: { partyId: str(v, 'partyId'), ...(str(v, 'statement.text') ? { statement: statementOf(v) } : {}), statedAt: pointOf(v, 'statedAt'), source: sourceOf(v), assertions: assertionsOf(v, casualtyRows), reason: str(v, 'reason') } satisfies S['CorrectClaimDto'] };
      case 'retract':
        return { path: `/incidents/${i}/claims/${c}/retraction`, conditional: true, body: { partyId: str(v, 'partyId'), ...(str(v, 'statement.text') ? { statement: statementOf(v) } : {}), statedAt: pointOf(v, 'statedAt'), source: sourceOf(v), reason: str(v, 'reason') } satisfies S['RetractClaimDto'] };
      case 'amend': {
        const [entryKind, ref, version] = str(v, 'entry.ref').split('|');
        const entry: S['EntryRefDto'] =
          entryKind === 'claim' ? { kind: 'claim', claimId: ref, version: Number(version) } : entryKind === 'denial' ? { kind: 'denial', denialId: ref } : entryKind === 'retraction' ? { kind: 'retraction', claimId: ref } : { kind: 'incident' };
        const changes: S['EntryChangesDto'] = {
          ...(opt(v, 'changes.title') ? { title: str(v, 'changes.title') } : {}),
          ...(opt(v, 'changes.summary') ? { summary: str(v, 'changes.summary') } : {}),
          ...(opt(v, 'statement.text') ? { statement: statementOf(v) } : {}),
          ...(opt(v, 'changes.statedAt.at') ? { statedAt: pointOf(v, 'changes.statedAt') } : {}),
          ...(opt(v, 'source.title') ? { source: sourceOf(v) } : {}),
        };
        return { path: `/incidents/${i}/amendments`, conditional: true, body: { entry, changes, reason: str(v, 'reason') } satisfies S['AmendEntryDto'] };
      }
      default:
        throw new Error(`unknown form ${kind as string}`);
    }
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    setBusy(true);
    setDone(undefined);
    try {
      const { path, body, conditional } = build();
      const json = JSON.stringify(clean(body));
      const key = keys.keyFor(`${path}\n${json}`);
      const res = await authedFetch(session.token, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...writeHeaders(conditional ? opened.current.revision : undefined, key) },
        body: json,
      });
      if (res.ok) {
        keys.done();
        setErrors({ byField: {}, general: [] });
        setConflict(undefined);
        setDone({ location: res.headers.get('location'), status: res.status });
        if (kind === 'party') reloadParties();
        return;
      }
      const problem = (await res.json().catch(() => ({ status: res.status, title: res.statusText }))) as Problem;
      if (res.status === 409 && incident) {
        const since = await must(
          // What was recorded after the revision this form was opened on.
          clientFor(session.token).GET('/incidents/{incidentId}/timeline', { params: { path: { incidentId: incident.incidentId }, query: { limit: 1000, after: opened.current.position } } }),
        ).catch(() => undefined);
        setConflict({ currentRevision: problem.currentRevision, since: since?.entries ?? [] });
        setErrors({ byField: {}, general: [] });
        return;
      }
      // The amend form shares the statement and source inputs of the other forms: `changes.statement.text` is `statement.text` there.
      const aliased = kind === 'amend' ? new Set([...known].flatMap((k) => (/^(statement|source)\./.test(k) ? [k, `changes.${k}`] : [k]))) : known;
      const spread = fieldErrorsOf(problem, aliased);
      for (const [field, messages] of Object.entries(spread.byField)) {
        if (!known.has(field)) {
          delete spread.byField[field];
          spread.byField[field.replace(/^changes\./, '')] = messages;
        }
      }
      setErrors(spread);
    } catch (err) {
      setErrors({ byField: {}, general: [String(err)] });
    } finally {
      setBusy(false);
    }
  };

  const decideAgain = () => {
    // The recorder has seen what changed: the form now stands on the current revision, as a new submission.
    opened.current = { revision: conflict?.currentRevision, position: conflict?.since.at(-1)?.position ?? opened.current.position };
    keys.done();
    setConflict(undefined);
  };

  const claimsOfIncident = incident?.parties.flatMap((p) => p.claims) ?? [];
  return (
    <Ctx.Provider value={{ values, set, errors, known }}>
      <form onSubmit={submit} noValidate aria-labelledby="form-title" className="record">
        <h1 id="form-title">{TITLES[kind]}</h1>
        {incident && (
          <p className="muted">
            Incident: <a href={href('incidents', incident.incidentId)}>{incident.incident?.title}</a> · opened on revision {opened.current.revision}
          </p>
        )}
        {claim && (
          <p>
            Claim by <strong>{nameOf(claim.partyId)}</strong>: “{claim.statement.text}” (version {claim.version})
          </p>
        )}
        {kind === 'incident' && (
          <>
            <Text name="title" label="Title" required />
            <Text name="summary" label="Summary" multiline required />
            <Select name="category.eventType" label="Event type (ACLED)" options={EVENT_TYPES} required />
            <Select name="category.subEventType" label="Sub-event type (ACLED, optional)" options={SUB_EVENT_TYPES} />
            <Text name="category.tags" label="Tags (comma-separated, optional)" hint="ceasefire-violation, aircraft-downing" />
            <IntervalFields name="occurred" legend="When it happened" />
            <PlaceFields name="location" legend="Where it happened" />
          </>
        )}
        {kind === 'party' && (
          <>
            <Text name="partyId" label="Id" hint="lowercase letters, digits, single hyphens: karabakh-defense-army" required />
            <Text name="name" label="Name" required />
            <Select name="kind" label="Kind" options={PARTY_KINDS} required />
            <Text name="description" label="Description (optional)" hint="state-owned manufacturer of the missile" />
            <PartyPicker name="affiliation.partyId" label="Affiliated with (optional)" />
            <Text name="affiliation.description" label="Affiliation in words (optional)" hint="Armenian-backed" />
            <Text name="aliases" label="Aliases (comma-separated, optional)" />
          </>
        )}
        {(kind === 'claim' || kind === 'deny') && <PartyPicker />}
        {(kind === 'correct' || kind === 'retract') && <Select name="partyId" label="Party speaking (only the claimant)" options={claim ? [[claim.partyId, nameOf(claim.partyId)]] : []} required />}
        {(kind === 'claim' || kind === 'deny') && <StatementFields legend="The party's words" />}
        {(kind === 'correct' || kind === 'retract') && <StatementFields legend="The party's new words" optional />}
        {['claim', 'deny', 'correct', 'retract'].includes(kind) && (
          <>
            <PointInTimeFields name="statedAt" legend="When the party said it (stated time)" />
            <SourceFields />
          </>
        )}
        {kind === 'claim' && claimsOfIncident.length > 0 && (
          <MultiPick name="answers" legend="Answers these claims (optional)" options={claimsOfIncident.map((c) => [c.claimId, `${nameOf(c.partyId)}: “${c.statement.text.slice(0, 60)}”`])} />
        )}
        {(kind === 'claim' || kind === 'correct') && <AssertionsPicker casualtyRows={casualtyRows} setCasualtyRows={setCasualtyRows} />}
        {kind === 'deny' && claim && (
          <MultiPick name="deniedAssertions" legend="Denied points (none ticked: the claim as a whole)" options={ASSERTION_FIELDS.filter((f) => f in claim.assertions).map((f) => [f, f])} />
        )}
        {kind === 'amend' && incident && (
          <>
            <Select
              name="entry.ref"
              label="Entry to fix"
              required
              options={[
                ['incident|', 'The incident report'],
                ...claimsOfIncident.flatMap((c) => c.versions.map((ver) => [`claim|${c.claimId}|${ver.version}`, `${nameOf(c.partyId)}'s claim, version ${ver.version}`] as [string, string])),
                ...incident.parties.flatMap((p) => p.denialsMade.map((d) => [`denial|${d.denialId}`, `${nameOf(p.partyId)}'s denial of ${nameOf(d.claimPartyId)}`] as [string, string])),
              ]}
            />
            <Text name="changes.title" label="Corrected title (incident report only)" />
            <Text name="changes.summary" label="Corrected summary (incident report only)" multiline />
            <StatementFields legend="Corrected words (claims and denials)" optional />
            <PointInTimeFields name="changes.statedAt" legend="Corrected stated time (optional)" />
          </>
        )}
        {['correct', 'retract', 'amend'].includes(kind) && <Text name="reason" label="Reason" multiline required />}
        {errors.general.length > 0 && (
          <div className="error" role="alert">
            {errors.general.map((g) => (
              <p key={g}>{g}</p>
            ))}
          </div>
        )}
        {conflict ? (
          <section className="conflict" role="alert" aria-labelledby="conflict-title">
            <h2 id="conflict-title">Someone recorded something on this incident since you opened this form</h2>
            <p>
              This form was opened on revision {opened.current.revision}; the incident is now at revision {conflict.currentRevision ?? '?'}. Nothing of yours was recorded. What changed:
            </p>
            <ul>
              {conflict.since.map((e) => (
                <li key={e.eventId}>
                  {e.partyId ? <strong>{nameOf(e.partyId)}: </strong> : null}
                  {e.kind}
                  {'version' in e && e.version ? ` (version ${e.version})` : ''} — {e.summary} <span className="muted small">(recorded {e.recordedAt} by {e.recordedBy})</span>
                </li>
              ))}
            </ul>
            <button type="button" onClick={decideAgain}>
              Keep my entry and decide again on revision {conflict.currentRevision}
            </button>{' '}
            <a href={href('incidents', incident!.incidentId)}>Discard and look at the incident</a>
          </section>
        ) : (
          <button type="submit" disabled={busy}>
            {busy ? 'Recording…' : 'Record'}
          </button>
        )}
        {done && (
          <p className="ok" role="status">
            Recorded ({done.status}).{' '}
            {incident ? <a href={href('incidents', incident.incidentId)}>Back to the incident</a> : done.location ? <a href={`#${done.location}`}>Open it</a> : null}
          </p>
        )}
      </form>
    </Ctx.Provider>
  );
};

export const RecordPage = ({ kind, incidentId, claimId }: { kind: string; incidentId?: string; claimId?: string }) => {
  const { client, can } = useLedger();
  const incident = useLoad(
    () =>
      incidentId
        ? // Opened on a claim: that claim, wherever it stands in a long incident; otherwise the first 1,000 entries.
          must(client.GET('/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: claimId ? { claim: claimId } : { limit: 1000 } } }))
        : Promise.resolve(undefined),
    // Each opening of a form reads the incident again: the revision it stands on is the one the recorder sees now.
    [incidentId, kind, claimId],
  );
  if (!can('recorder')) return <p>Recording needs a recorder token.</p>;
  if (!(kind in TITLES)) return <p>Unknown form.</p>;
  if (incidentId && (!incident.data || incident.loading)) return incident.error ? <ErrorNote error={incident.error} /> : <p>Loading…</p>;
  const claim = claimId ? incident.data?.parties.flatMap((p) => p.claims).find((c) => c.claimId === claimId) : undefined;
  if (claimId && !claim) return <p>No such claim in this incident.</p>;
  // A fresh form (and a fresh opened revision) for each incident, claim and kind.
  return <RecordForm key={`${kind}|${incidentId}|${claimId}|${incident.data?.revision}`} kind={kind as RecordKind} incident={incident.data} claim={claim} />;
};
