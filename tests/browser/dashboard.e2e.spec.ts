import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureBuilt, killAllSpawned, spawnLedger, type SpawnedLedger } from '../support/spawned-ledger';
import { ensureDashboardBuilt, launchChromium, screenshot, seriousAxeViolations } from './dashboard-browser';

/*
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the built ledger on the demo
 * data: sign in, the Karabakh incident's "who says what", a claim arriving live, the as-of slider, and a denial
 * recorded through the form with its field error, its conflict view and one Idempotency-Key per submission.
 */
jest.setTimeout(120_000);

const SOURCE = { title: 'Browser test source', publisher: 'Incident Ledger tests' };

describe('the dashboard in a browser (e2e)', () => {
  let ledger: SpawnedLedger;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let incidentId: string;
  let names: Record<string, string>;
  const cspViolations: string[] = [];

  const matrixRows = () =>
    page.$$eval('table.matrix tbody tr', (rows) =>
      rows.map((r) => ({
        party: r.getAttribute('data-party') ?? '',
        responsible: r.querySelector('td[data-field="responsibleParties"]')?.textContent ?? '',
        casualties: r.querySelector('td[data-field="casualties"]')?.textContent ?? '',
      })),
    );

  const expectAccessible = async (name: string) => {
    expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
  };

  // Counted per chart: a chart with a colour legend holds several <svg> (Plot draws each swatch as one), so a count of
  // svg elements can reach four while a chart is still pending.
  const allFourChartsDrawn = () =>
    page.waitForFunction(() => {
      const doc = (globalThis as any).document;
      const drawn = [...doc.querySelectorAll('.charts .chart[role=img]')].filter((c: any) => c.querySelector('svg') !== null);
      return drawn.length === 4 && doc.querySelectorAll('.charts [aria-busy=true]').length === 0;
    });

  const claimBody = (text: string) => ({
    partyId: 'osce-minsk-group-co-chairs',
    statement: { text, verbatim: false, language: 'en' },
    statedAt: { at: '2019-06-04', precision: 'day' },
    source: SOURCE,
    assertions: { responsibleParties: [] },
  });

  beforeAll(async () => {
    await ensureBuilt('ledger-api');
    await ensureDashboardBuilt();
    ledger = await spawnLedger({ demo: true });
    await ledger.waitUntilCaughtUp();
    const list = await ledger.request('GET', '/incidents', { role: 'reader' });
    incidentId = list.body.items.find((i: { title: string }) => /Karabakh/.test(i.title)).incidentId;
    const parties = await ledger.request('GET', '/parties?limit=500', { role: 'reader' });
    names = Object.fromEntries(parties.body.items.map((p: { partyId: string; name: string }) => [p.partyId, p.name]));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await killAllSpawned();
  });

  it('serves the page at / with a Content-Security-Policy, and signs in with a pasted token kept in sessionStorage only', async () => {
    const res = await page.goto(`${ledger.baseUrl}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await expectAccessible('sign-in');
    await page.fill('#token', ledger.tokens.admin);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav[aria-label=Main] >> text=Report incident');
    await screenshot(page, '01-incidents');
    expect(page.url()).not.toContain(ledger.tokens.admin);
    expect(await page.evaluate('JSON.parse(sessionStorage.getItem("incident-ledger.session")).token')).toBe(ledger.tokens.admin);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.waitForSelector('.incident-list li');
    await expectAccessible('incidents');
  });

  it('loads the charting library only when a chart is drawn: the sign-in page runs without it', async () => {
    const other = await context.browser()!.newContext();
    const p = await other.newPage();
    const scripts: string[] = [];
    p.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await p.goto(`${ledger.baseUrl}/`);
    await p.waitForSelector('#token');
    await p.waitForLoadState('networkidle');
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    await p.fill('#token', ledger.tokens.reader);
    await p.click('button[type=submit]');
    await p.waitForFunction(() => (globalThis as any).document.querySelectorAll('.charts .chart[role=img] svg').length > 0);
    expect(scripts.filter((s) => /^\/assets\/observable-plot-[\w-]+\.js$/.test(s))).toHaveLength(1);
    await other.close();
  });

  it('shows the list and says so in place of each chart when the charting library cannot be loaded', async () => {
    const other = await context.browser()!.newContext();
    const p = await other.newPage();
    await p.route(/\/assets\/observable-plot-[\w-]+\.js$/, (route) => route.abort());
    await p.goto(`${ledger.baseUrl}/`);
    await p.fill('#token', ledger.tokens.reader);
    await p.click('button[type=submit]');
    await p.waitForSelector('.incident-list li');
    await p.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('.charts .chart[role=img]')].filter((c: any) => /could not be loaded/.test(c.textContent)).length === 4,
    );
    expect(await p.$$eval('.charts svg', (drawn) => drawn.length)).toBe(0);
    await other.close();
  });

  it('reads the first page of the list once when it opens on the list with a session (read ahead, then taken), and not elsewhere', async () => {
    const listReads = async (hash: string): Promise<number> => {
      const other = await context.browser()!.newContext();
      await other.addInitScript(`sessionStorage.setItem('incident-ledger.session', ${JSON.stringify(JSON.stringify({ token: ledger.tokens.reader, roles: ['reader'] }))});`);
      const p = await other.newPage();
      let reads = 0;
      p.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/incidents' && url.search === '?limit=100&offset=0') reads++;
      });
      await p.goto(`${ledger.baseUrl}/${hash}`);
      await p.waitForSelector(hash === '#/' ? '.incident-list li' : 'main#main h1');
      await p.waitForLoadState('networkidle');
      await other.close();
      return reads;
    };
    expect(await listReads('#/')).toBe(1);
    expect(await listReads('#/parties')).toBe(0);
  });

  it('shows a reader the menu of a reader: no recording', async () => {
    const other = await context.browser()!.newContext();
    const p = await other.newPage();
    await p.goto(`${ledger.baseUrl}/`);
    await p.fill('#token', ledger.tokens.reader);
    await p.click('button[type=submit]');
    await p.waitForSelector('nav[aria-label=Main] >> text=Incidents');
    expect(await p.$$eval('nav[aria-label=Main] a', (as) => as.map((a) => a.textContent))).toEqual(['Incidents', 'Parties']);
    await other.close();
  });

  it("shows tiles and charts counted by the ledger's statistics over every incident, not summed from the page", async () => {
    const stats = await ledger.request('GET', '/stats/activity?bucket=none&by=none&clock=occurred', { role: 'reader' });
    expect(stats.status).toBe(200);
    const expected = stats.body.totals as Record<string, number>;
    expect(expected.claims).toBeGreaterThanOrEqual(5);
    const statsReads: string[] = [];
    const onRequest = (r: { url: () => string }) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/stats/')) statsReads.push(`${url.pathname}?${[...url.searchParams].map(([k, v]) => `${k}=${v}`).sort().join('&')}`);
    };
    await page.goto(`${ledger.baseUrl}/#/incidents`);
    // Loaded afresh: the list may already be open, its statistics read.
    page.on('request', onRequest);
    await page.reload();
    const tile = (name: string) =>
      page.waitForFunction(
        ([k, n]) =>
          [...(globalThis as any).document.querySelectorAll('.tile')].some(
            (t: any) => t.querySelector('.tile-k')?.textContent === k && t.querySelector('.tile-n')?.textContent === String(n),
          ),
        [name, expected[name.toLowerCase()]] as const,
      );
    for (const name of ['Claims', 'Denials', 'Corrections', 'Retractions']) await tile(name);
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('[aria-label="By party"] tbody tr').length === 5);
    const partyRows = await page.$$eval('[aria-label="By party"] tbody th', (ths) => ths.map((th) => th.textContent));
    expect(partyRows).toContain('Ministry of Defence of Azerbaijan');
    await allFourChartsDrawn();
    page.off('request', onRequest);
    // The tiles' totals come with the per-party breakdown: no read of their own, and no statistic asked for twice.
    expect(statsReads).not.toContain('/stats/activity?bucket=none&by=none&clock=occurred');
    expect(statsReads).toContain('/stats/activity?bucket=none&by=party&clock=occurred');
    expect(new Set(statsReads).size).toBe(statsReads.length);
  });

  it('shows the list before the statistics answer, drawing no chart until its own numbers have come', async () => {
    // Held statistics: the list must not wait for them, and no chart is drawn empty meanwhile.
    const held: Array<() => Promise<void>> = [];
    const hold = (route: { continue: () => Promise<void> }) => void held.push(() => route.continue());
    await page.route('**/stats/**', hold);
    try {
      await page.goto(`${ledger.baseUrl}/#/incidents`);
      await page.reload();
      await page.waitForSelector('.incident-list li');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.charts [aria-busy=true]').length === 4);
      expect(await page.$$eval('.charts svg', (drawn) => drawn.length)).toBe(0);
    } finally {
      await page.unroute('**/stats/**', hold);
      // Requests of the page before the reload were cancelled with it: theirs are already handled.
      for (const release of held.splice(0)) await release().catch(() => undefined);
    }
    await allFourChartsDrawn();
  });

  it('opens the Karabakh incident and reads five parties and whom each blames from the matrix', async () => {
    await page.click('text=Deadly ceasefire violations on the Karabakh line of contact');
    await page.waitForSelector('table.matrix tbody tr');
    const rows = await matrixRows();
    expect(rows.map((r) => r.party).sort()).toEqual(
      ['armenia-foreign-ministry', 'azerbaijan-defence-ministry', 'azerbaijan-foreign-ministry', 'karabakh-defense-army', 'osce-minsk-group-co-chairs'].sort(),
    );
    const blames = Object.fromEntries(rows.map((r) => [r.party, r.responsible]));
    expect(blames['azerbaijan-defence-ministry']).toContain(names['karabakh-defense-army']);
    expect(blames['azerbaijan-foreign-ministry']).toContain(names.armenia);
    expect(blames['karabakh-defense-army']).toContain(names['azerbaijan-defence-ministry']);
    expect(blames['armenia-foreign-ministry']).toContain(names.azerbaijan);
    expect(blames['osce-minsk-group-co-chairs']).toContain('said nothing');
    // Every party that blames someone is contradicted by another: each such cell is highlighted.
    expect(await page.$$eval('td[data-field="responsibleParties"].disputed', (cells) => cells.length)).toBe(4);
    // Cells link to the claim and version behind them.
    const link = await page.getAttribute('tr[data-party="azerbaijan-defence-ministry"] td[data-field="casualties"] a', 'href');
    expect(link).toMatch(/^#\/incidents\/[0-9a-f-]+\/claims\/[0-9a-f-]+\?v=2$/);
    await page.waitForSelector('.live-live');
    await screenshot(page, '02-incident');
    await expectAccessible('incident');
  });

  it('shows a claim posted through the API within 2 s, without reload', async () => {
    const text = `Live claim ${Date.now()}: the co-chairs name nobody.`;
    const posted = await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(text) });
    expect(posted.status).toBe(201);
    const started = Date.now();
    await page.waitForSelector(`text=${text}`, { timeout: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    await screenshot(page, '03-live-claim');
  });

  it('narrows the matrix to well-graded sources with the minimum-grade control, and widens it back', async () => {
    const versions = await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    const kda = versions.body.parties.find((p: { partyId: string }) => p.partyId === 'karabakh-defense-army');
    const graded = await ledger.request('POST', `/incidents/${incidentId}/claims/${kda.claims[0].claimId}/grades`, {
      role: 'recorder',
      body: { reliability: 'B', credibility: 2, reason: 'Browser test grade.' },
    });
    expect(graded.status).toBe(201);
    const says = () => page.$eval('tr[data-party="azerbaijan-defence-ministry"] td[data-field="responsibleParties"]', (cell) => cell.textContent ?? '');
    await page.selectOption('select[name="minReliability"]', 'B');
    // Only the graded claim counts: the other parties keep their rows, saying nothing at that grade.
    await page.waitForFunction(() => /said nothing/.test((globalThis as any).document.querySelector('tr[data-party="azerbaijan-defence-ministry"] td[data-field="responsibleParties"]')?.textContent ?? ''));
    const rows = await matrixRows();
    expect(rows.filter((r) => r.responsible !== 'said nothing').map((r) => r.party)).toEqual(['karabakh-defense-army']);
    expect(rows.find((r) => r.party === 'karabakh-defense-army')!.responsible).toContain(names['azerbaijan-defence-ministry']);
    await page.waitForSelector('text=Ungraded claims are left out');
    await page.selectOption('select[name="minReliability"]', '');
    // Waits for the cell itself: while the matrix reloads it is briefly absent, which no negative test may pass on.
    await page.waitForFunction(
      (blamed) => ((globalThis as any).document.querySelector('tr[data-party="azerbaijan-defence-ministry"] td[data-field="responsibleParties"]')?.textContent ?? '').includes(blamed),
      names['karabakh-defense-army'],
    );
    expect(await says()).toContain(names['karabakh-defense-army']);
  });

  it('redraws the matrix as the ledger knew it before the correction when the as-of slider is moved there', async () => {
    const timeline = await ledger.request('GET', `/incidents/${incidentId}/timeline?limit=1000`, { role: 'reader' });
    const entries: { kind: string; position: string; version?: number; recordedAt: string }[] = timeline.body.entries;
    const correction = entries.findIndex((e) => e.kind === 'correction' || (e.version ?? 1) > 1);
    expect(correction).toBeGreaterThan(0);
    await page.selectOption('select[name=clock]', 'position');
    const slider = page.locator('input[name=asOf]');
    await slider.focus();
    await page.keyboard.press('Home');
    // Position stops are the entries in log order: stepping right `correction - 1` times stands just before it.
    for (let i = 0; i < correction - 1; i++) await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`.as-of-label >> text=position ${entries[correction - 1].position}`);
    await page.waitForFunction(() => {
      const cell = (globalThis as any).document.querySelector('tr[data-party="azerbaijan-defence-ministry"] td[data-field="casualties"]');
      return cell && /v1/.test(cell.textContent) && /serviceman/.test(cell.textContent);
    });
    const before = (await matrixRows()).find((r) => r.party === 'azerbaijan-defence-ministry')!;
    expect(before.casualties).not.toContain('mid-ranking officer');
    // The location panel and the timeline chart follow the slider too: the chart shows the entries known by then.
    expect(await page.textContent('h2#where .as-of-label')).toContain(`position ${entries[correction - 1].position}`);
    expect(await page.textContent('h2#when .as-of-label')).toContain(`position ${entries[correction - 1].position}`);
    const stated = entries.slice(0, correction).filter((e) => (e as { statedAt?: unknown }).statedAt && (e as { partyId?: unknown }).partyId).length;
    await page.waitForSelector(`[aria-label="Stated against recorded time for ${stated} entries"]`);
    expect(await page.$$eval('section[aria-labelledby=when] details li', (items) => items.length)).toBe(correction);
    await screenshot(page, '04-as-of-before-correction');
    await expectAccessible('incident as of');
    await page.click('text=Back to now');
    await page.waitForFunction(() => /v2/.test((globalThis as any).document.querySelector('tr[data-party="azerbaijan-defence-ministry"] td[data-field="casualties"]')?.textContent ?? ''));
  });

  it('records a denial through the form: a wrong field shows its error in place, a stale form gets the conflict view', async () => {
    const versions = await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    const claimId = versions.body.parties.find((p: { partyId: string }) => p.partyId === 'azerbaijan-defence-ministry').claims[0].claimId;
    await page.click(`a[href$="record/deny?claim=${claimId}"]`);
    await page.waitForSelector('h1:has-text("Record a denial")');
    // The claimant itself cannot deny its claim: a 422 whose field is partyId.
    await page.selectOption('select[name=partyId]', 'azerbaijan-defence-ministry');
    await page.fill('textarea[name="statement.text"]', 'The co-chairs reject the account of an enemy attack.');
    await page.fill('input[name="statedAt.at"]', '2019-06-05');
    await page.selectOption('select[name="statedAt.precision"]', 'day');
    await page.fill('input[name="source.title"]', SOURCE.title);
    await page.fill('input[name="source.publisher"]', SOURCE.publisher);
    await page.check('#f-deniedAssertions-responsibleParties');
    await page.click('button[type=submit]');
    const fieldError = page.locator('#f-partyId-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/cannot deny|own claim/i);
    expect(await page.getAttribute('select[name=partyId]', 'aria-invalid')).toBe('true');
    await screenshot(page, '05-denial-field-error');
    await expectAccessible('denial form with error');

    // Someone else records on the incident meanwhile: the form's If-Match is stale.
    await page.selectOption('select[name=partyId]', 'osce-minsk-group-co-chairs');
    const meanwhile = `Meanwhile ${Date.now()}`;
    expect((await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(meanwhile) })).status).toBe(201);
    await page.click('button[type=submit]');
    await page.waitForSelector('.conflict');
    // The view lists what was recorded since the form was opened: the claim made meanwhile.
    expect(await page.$$eval('.conflict li', (items) => items.length)).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('.conflict')).toMatch(/osce-minsk-group-co-chairs|OSCE/);
    await screenshot(page, '06-denial-conflict');
    await expectAccessible('denial conflict');
    const before = (await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body;
    const denialsBefore = before.parties.flatMap((p: { denialsMade: unknown[] }) => p.denialsMade).length;

    // The recorder decides again on the new revision; a double click still records once (one Idempotency-Key).
    await page.click('text=Keep my entry and decide again');
    await page.dblclick('button[type=submit]');
    await page.waitForSelector('.ok >> text=Recorded');
    await screenshot(page, '07-denial-recorded');
    const after = (await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body;
    const osce = after.parties.find((p: { partyId: string }) => p.partyId === 'osce-minsk-group-co-chairs');
    expect(osce.denialsMade.filter((d: { claimId: string }) => d.claimId === claimId)).toHaveLength(1);
    expect(after.parties.flatMap((p: { denialsMade: unknown[] }) => p.denialsMade).length).toBe(denialsBefore + 1);
  });

  it('records a claim with picked assertions: a casualty figure out of range shows its error at that figure', async () => {
    await page.goto(`${ledger.baseUrl}/#/incidents/${incidentId}/record/claim`);
    await page.waitForSelector('h1:has-text("Record a claim")');
    await page.selectOption('select[name=partyId]', 'karabakh-defense-army');
    await page.fill('textarea[name="statement.text"]', 'Two more of our soldiers were wounded by Azerbaijani fire.');
    await page.fill('input[name="statedAt.at"]', '2019-06-06');
    await page.selectOption('select[name="statedAt.precision"]', 'day');
    await page.fill('input[name="source.title"]', SOURCE.title);
    await page.fill('input[name="source.publisher"]', SOURCE.publisher);
    await page.check('#f-with-responsibleParties');
    await page.check('#f-assertions-responsibleParties-azerbaijan-defence-ministry');
    await page.check('#f-with-casualties');
    await page.selectOption('select[name="assertions.casualties.0.side"]', 'karabakh-defense-army');
    await page.fill('input[name="assertions.casualties.0.wounded.best"]', '-2');
    await page.click('button[type=submit]');
    const error = page.locator('#f-assertions-casualties-0-wounded-best-error');
    await error.waitFor();
    expect(await page.getAttribute('input[name="assertions.casualties.0.wounded.best"]', 'aria-invalid')).toBe('true');
    await screenshot(page, '08-claim-field-error');
    await expectAccessible('claim form with error');
    await page.fill('input[name="assertions.casualties.0.wounded.best"]', '2');
    await page.fill('input[name="assertions.casualties.0.wounded.low"]', '2');
    await page.fill('input[name="assertions.casualties.0.wounded.high"]', '4');
    await page.click('button[type=submit]');
    await page.waitForSelector('.ok >> text=Recorded');
    await page.click('.ok >> text=Back to the incident');
    await page.waitForFunction(() =>
      /2 \(2–4\) wounded/.test((globalThis as any).document.querySelector('tr[data-party="karabakh-defense-army"] td[data-field="casualties"]')?.textContent ?? ''),
    );
  });

  it("shows a claim's versions and, to an auditor, the field-level diff of its correction", async () => {
    await page.click('tr[data-party="azerbaijan-defence-ministry"] td[data-field="casualties"] a');
    await page.waitForSelector('h2:has-text("History (field-level diff)")');
    await page.waitForSelector('.diff ins');
    expect(await page.textContent('li.selected')).toContain('Version 2');
    expect(await page.textContent('.diff')).toBeTruthy();
    const diff = await page.$$eval('.diff tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(diff.join('\n')).toMatch(/mid-ranking officer/);
    await screenshot(page, '09-claim-history');
    await expectAccessible('claim history');
  });

  it('has no serious accessibility violation on the other pages either', async () => {
    for (const [name, path, ready] of [
      ['parties', '#/parties', 'h1:has-text("Parties")'],
      ['report incident', '#/record/incident', 'h1:has-text("Report an incident")'],
      ['register party', '#/record/party', 'h1:has-text("Register a party")'],
      ['amend', `#/incidents/${incidentId}/record/amend`, 'h1:has-text("Amend")'],
    ] as const) {
      await page.goto(`${ledger.baseUrl}/${path}`);
      await page.waitForSelector(ready);
      await screenshot(page, `10-${name.replace(/ /g, '-')}`);
      await expectAccessible(name);
    }
  });

  it('searches and filters by party on the server, over the whole list, without loading every party record', async () => {
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(r.url());
    page.on('request', onRequest);
    try {
      await page.goto(`${ledger.baseUrl}/#/`);
      await page.reload();
      await page.waitForSelector('.incident-list li');
      // The party picker's options: one aggregate row per party that spoke, with its name.
      await page.waitForSelector(`select[name=party] option[value="karabakh-defense-army"]`, { state: 'attached' });
      expect(await page.textContent('select[name=party] option[value="karabakh-defense-army"]')).toBe(names['karabakh-defense-army']);
      await page.selectOption('select[name=party]', 'karabakh-defense-army');
      const byParty = (await ledger.request('GET', '/incidents?party=karabakh-defense-army&limit=100', { role: 'reader' })).body;
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('p[aria-live=polite]')?.textContent?.includes(`of ${n} incidents`), byParty.total);
      expect(requests.some((u) => /\/incidents\?.*party=karabakh-defense-army/.test(u))).toBe(true);
      await page.selectOption('select[name=party]', '');

      // A party's name typed in the search finds the incidents it spoke in: the ledger searches, not the page.
      const word = names['azerbaijan-defence-ministry'].split(' ').slice(-1)[0];
      await page.fill('input[name=search]', word);
      const found = (await ledger.request('GET', `/incidents?q=${encodeURIComponent(word)}&limit=100`, { role: 'reader' })).body;
      expect(found.total).toBeGreaterThan(0);
      await page.waitForFunction((w) => (globalThis as any).document.querySelector('p[aria-live=polite]')?.textContent?.includes(`matching “${w}”`), word);
      expect(await page.$$eval('.incident-list li a.incident-title', (as) => as.map((a) => a.textContent))).toEqual(found.items.map((i: { title: string }) => i.title));
      expect(requests.some((u) => new URL(u).searchParams.get('q') === word)).toBe(true);
      await page.fill('input[name=search]', 'no incident has these words');
      await page.waitForSelector('text=No incident matches');
      await screenshot(page, '12-search-no-match');
      await expectAccessible('incidents searched');
      // Neither the list nor an incident reads the party records (each lists every incident the party spoke in).
      await page.goto(`${ledger.baseUrl}/#/incidents/${incidentId}`);
      await page.waitForSelector('table.matrix tbody tr');
      expect(requests.filter((u) => /\/parties(\?|$)/.test(new URL(u).pathname + new URL(u).search))).toEqual([]);
    } finally {
      page.off('request', onRequest);
    }
  });

  it('gives a reader live updates with its own token, and says what arrived with names, not ids', async () => {
    const other = await context.browser()!.newContext();
    const reader = await other.newPage();
    const feedRequests: { url: string; authorization?: string }[] = [];
    reader.on('request', (r) => {
      if (r.url().includes('/feed/stream')) feedRequests.push({ url: r.url(), authorization: r.headers().authorization });
    });
    try {
      await reader.goto(`${ledger.baseUrl}/`);
      await reader.fill('#token', ledger.tokens.reader);
      await reader.click('button[type=submit]');
      await reader.waitForSelector('nav[aria-label=Main] >> text=Incidents');
      const reached = (await ledger.health()).body.details.projections.checkpoint;
      await reader.goto(`${ledger.baseUrl}/#/incidents/${incidentId}`);
      await reader.waitForSelector('.live-live');
      // The stream starts where the read models stood, not at the incident's last entry far back in the log: the
      // ledger has nothing to read to catch it up.
      expect(new URL(feedRequests[0].url).searchParams.get('from')).toBe(reached);
      // The token goes in the Authorization header, never in the address.
      expect(feedRequests.length).toBeGreaterThan(0);
      for (const r of feedRequests) {
        expect(r.url).not.toContain(ledger.tokens.reader);
        expect(r.authorization).toBe(`Bearer ${ledger.tokens.reader}`);
      }
      const versions = (await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body;
      const claim = versions.parties.find((p: { partyId: string }) => p.partyId === 'karabakh-defense-army').claims[0];
      const denied = await ledger.request('POST', `/incidents/${incidentId}/claims/${claim.claimId}/denials`, {
        role: 'recorder',
        body: { partyId: 'armenia', statement: { text: `Live denial ${Date.now()}`, verbatim: false }, statedAt: { at: '2019-06-05', precision: 'day' }, source: SOURCE, deniedAssertions: [] },
      });
      expect({ status: denied.status, body: denied.body }).toMatchObject({ status: 201 });
      const expected = `${names.armenia} denied ${names['karabakh-defense-army']}'s claim`;
      const started = Date.now();
      await reader.waitForSelector(`.news >> text=${expected}`, { timeout: 2_000 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await reader.textContent('.news')).not.toMatch(/karabakh-defense-army|[0-9a-f]{8}-[0-9a-f]{4}/);
      await screenshot(reader, '13-reader-live-denial');
    } finally {
      await other.close();
    }
  });

  it('opens an incident of many claims on its first page and shows the next page on demand', async () => {
    const big = await ledger.request('POST', '/incidents', {
      role: 'recorder',
      body: { title: 'Browser test: an incident of many claims', summary: 'Paging.', category: { eventType: 'strategic-developments', subEventType: 'other', tags: [] }, occurred: { from: '2019-06-04', to: '2019-06-04', precision: 'day' }, location: { name: 'Tovuz district', precision: 'district' } },
    });
    expect(big.status).toBe(201);
    const bigId = big.body.incidentId as string;
    for (let n = 0; n < 130; n++) {
      const res = await ledger.request('POST', `/incidents/${bigId}/claims`, { role: 'recorder', body: claimBody(`Paged claim ${n + 1}`) });
      expect(res.status).toBe(201);
    }
    await page.goto(`${ledger.baseUrl}/#/incidents/${bigId}`);
    await page.waitForSelector('table.matrix tbody tr');
    expect(await page.$$eval('article.claim', (a) => a.length)).toBe(100);
    await page.waitForSelector('[data-testid=claims-paging]');
    await page.click('text=Show the next 100 claims and denials');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('article.claim').length === 130);
    expect(await page.$('text=Show the next 100 claims and denials')).toBeNull();
    await screenshot(page, '14-incident-paged');
    await expectAccessible('incident paged');
    // As of its last entry (the slider's last stop before now), the past pages too.
    await page.selectOption('select[name=clock]', 'position');
    const slider = page.locator('input[name=asOf]');
    await slider.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('[data-testid=past-claims-paging]');
    expect(await page.$$eval('article.claim', (a) => a.length)).toBe(100);
    await page.click('text=/Show the next 100 claims and denials as of position \\d+/');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('article.claim').length === 130);
    expect(await page.$('[data-testid=past-claims-paging]')).toBeNull();
    await page.click('text=Back to now');
  });

  it('lists the parties with their counts from the party directory, not from every party record', async () => {
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(new URL(r.url()).pathname);
    page.on('request', onRequest);
    try {
      await page.goto(`${ledger.baseUrl}/#/parties`);
      await page.reload();
      const directory = (await ledger.request('GET', '/stats/parties?limit=500', { role: 'reader' })).body;
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('[aria-label=Parties] tbody tr').length === n, directory.total);
      const azd = directory.items.find((p: { partyId: string }) => p.partyId === 'azerbaijan-defence-ministry');
      const row = await page.$$eval('[aria-label=Parties] tbody tr', (rows) =>
        rows.filter((r) => r.textContent?.includes('azerbaijan-defence-ministry')).map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
      );
      expect(row[0].slice(2)).toEqual([azd.counts.incidents, azd.counts.claims, azd.counts.corrections, azd.counts.retractions, azd.counts.denialsMade, azd.counts.denialsReceived].map(String));
      expect(requests).toContain('/stats/parties');
      expect(requests).not.toContain('/parties');
      await expectAccessible('parties directory');
    } finally {
      page.off('request', onRequest);
    }
  });

  it('stays readable at 375 px wide and in dark mode, with no serious accessibility violation', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${ledger.baseUrl}/#/incidents/${incidentId}`);
    await page.waitForSelector('table.matrix tbody tr');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot(page, '11-incident-375-dark');
    await expectAccessible('incident 375 px dark');
    await page.goto(`${ledger.baseUrl}/#/`);
    await page.waitForSelector('.incident-list li');
    await expectAccessible('incidents 375 px dark');
    expect(cspViolations).toEqual([]);
  });
});
