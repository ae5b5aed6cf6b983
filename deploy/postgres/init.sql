-- Governor's roles and database on the local PostgreSQL 15 cluster.
-- Run by scripts/services (postgres_up) as the cluster superuser, on every `up`: idempotent.
--
-- DEMO-ONLY CREDENTIALS: the passwords below equal the role names. They exist so tests and
-- local runs work out of the box on a loopback-only server. Never use them anywhere else.
--
--   governor      owns database governor and schema public; Flyway migrations run as it
--   governor_app  the application's runtime role; it gets table privileges from the migrations
--                 (GRANTs there), not here, so the append-only audit tables stay append-only
\set ON_ERROR_STOP on

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'governor') THEN
    CREATE ROLE governor LOGIN PASSWORD 'governor';           -- demo-only password
  ELSE
    ALTER ROLE governor LOGIN PASSWORD 'governor';            -- demo-only password
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'governor_app') THEN
    CREATE ROLE governor_app LOGIN PASSWORD 'governor_app';   -- demo-only password
  ELSE
    ALTER ROLE governor_app LOGIN PASSWORD 'governor_app';    -- demo-only password
  END IF;
END
$$;

-- CREATE DATABASE cannot run inside DO/functions: generate it only when missing.
SELECT 'CREATE DATABASE governor OWNER governor ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'governor')
\gexec

ALTER DATABASE governor OWNER TO governor;
GRANT CONNECT, TEMPORARY ON DATABASE governor TO governor_app;

\connect governor

-- PostgreSQL 15 no longer grants CREATE on schema public to PUBLIC. Its owner is
-- pg_database_owner (= governor, the database owner), which already has it; say so explicitly
-- for the migration role, and give the application role USAGE only (no DDL at run time).
GRANT USAGE, CREATE ON SCHEMA public TO governor;
GRANT USAGE ON SCHEMA public TO governor_app;
