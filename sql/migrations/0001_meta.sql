-- 0001_meta: run metadata and provenance.
-- Every row of every raw table carries the file_id of the file that loaded
-- it; meta.files says where that file came from.

CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ind;

-- One row per refresh or job run, with what triggered it and how it ended.
CREATE TABLE meta.runs (
    run_id       BIGINT PRIMARY KEY,
    trigger      VARCHAR NOT NULL,      -- manual, schedule, catch-up
    jobs         VARCHAR NOT NULL,      -- jobs asked for, comma-separated
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,      -- success, partial (files rejected), failed
    files_read   INTEGER NOT NULL DEFAULT 0,
    files_loaded INTEGER NOT NULL DEFAULT 0,
    files_rejected INTEGER NOT NULL DEFAULT 0,
    rows_loaded  BIGINT NOT NULL DEFAULT 0,
    message      VARCHAR                -- summary of what went wrong, if anything
);

-- One row per source file version ever seen: the hash registry.
CREATE SEQUENCE meta.file_ids START 1;
CREATE TABLE meta.files (
    file_id      BIGINT PRIMARY KEY DEFAULT nextval('meta.file_ids'),
    run_id       BIGINT NOT NULL,
    job          VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    dep          VARCHAR NOT NULL,      -- COG code of the département
    path         VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    modified_at  TIMESTAMPTZ NOT NULL,
    sha256       VARCHAR NOT NULL,
    rows_read    BIGINT NOT NULL DEFAULT 0,
    rows_loaded  BIGINT NOT NULL DEFAULT 0,
    loaded_at    TIMESTAMPTZ NOT NULL,
    status       VARCHAR NOT NULL,      -- loaded, rejected, replaced, superseded
    error        VARCHAR                -- why the file was rejected
);

-- Every error of a run, one row each (a rejected file, a failed check…).
CREATE TABLE meta.run_errors (
    run_id   BIGINT NOT NULL,
    job      VARCHAR,
    path     VARCHAR,
    message  VARCHAR NOT NULL
);
