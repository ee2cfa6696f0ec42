-- 0005_run_steps: where a run's time went — one row per step (each extract
-- job, the conformed tables, the indicators, the exports).
CREATE TABLE meta.run_steps (
    run_id      BIGINT NOT NULL,
    step        VARCHAR NOT NULL,
    seconds     DOUBLE NOT NULL,
    rows        BIGINT NOT NULL
);
