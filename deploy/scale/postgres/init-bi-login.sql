-- Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
-- The ledger's migrations grant the ledger_bi role SELECT on the read-model schema; Grafana logs in as a member of it,
-- so it can read every table and view and write nothing. Change the password outside a demo.
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_bi') THEN CREATE ROLE ledger_bi NOLOGIN; END IF;
END $$;
CREATE ROLE grafana LOGIN PASSWORD 'grafana' IN ROLE ledger_bi;
