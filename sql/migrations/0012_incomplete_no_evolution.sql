-- 0012_incomplete_no_evolution: no evolution is computed from or against
-- an incomplete value (a total over services or territories where an
-- expected contributor has not reported, a year with months missing):
-- previous_value still says what N−1 was, evolution is NULL.
CREATE OR REPLACE VIEW main.indicator_values AS
WITH series AS (
    SELECT v.*,
           lag(v.value) OVER w AS lag_value,
           lag(v.period) OVER w AS lag_period,
           lag(v.status) OVER w AS lag_status
    FROM ind.values v
    WINDOW w AS (PARTITION BY v.indicator, v.dep, v.territory, v.service, v.category,
                              v.public, v.sex, v.age_band, v.mode, v.event
                 ORDER BY v.period)
),
previous AS (
    SELECT s.*, CASE WHEN s.lag_period = s.period - 1 THEN s.lag_value END AS previous_value,
           CASE WHEN s.lag_period = s.period - 1 THEN s.lag_status END AS previous_status
    FROM series s
)
SELECT v.indicator, c.label, v.dep, v.period, v.territory,
       v.service, v.category, v.public, v.sex, v.age_band, v.mode, v.event,
       v.numerator, v.denominator, v.value, v.unit, v.status,
       v.previous_value,
       CASE WHEN v.previous_value IS NULL OR v.value IS NULL THEN NULL
            WHEN v.status = 'incomplete' OR v.previous_status = 'incomplete' THEN NULL
            WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN v.value - v.previous_value
            WHEN v.previous_value = 0 THEN NULL
            ELSE 100 * (v.value - v.previous_value) / v.previous_value END AS evolution,
       CASE WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN 'points' ELSE '%' END AS evolution_unit,
       v.run_id
FROM previous v
JOIN ind.catalogue c USING (indicator);

-- The rows left out of an indicator by its scope or by a data problem,
-- counted by source, file and rule (rebuilt by every refresh: see
-- sql/transforms/03_quality.sql).
CREATE TABLE core.quality_issues (
    source      VARCHAR NOT NULL,   -- the job kind (ase, pmi, traject…), or prevention
    dep         VARCHAR,            -- COG code of the département
    file        VARCHAR,            -- the file concerned, relative to its job's folder
    period      INTEGER,            -- the year concerned (NULL: the whole file)
    rule        VARCHAR NOT NULL,   -- what left the rows out, and what follows
    indicators  VARCHAR,            -- the indicators concerned
    count       BIGINT NOT NULL,    -- how many, in unit
    unit        VARCHAR NOT NULL,   -- enfants, mois, activités, services, fichiers
    example     VARCHAR             -- one case, without identifiers
);
-- Rows left out of the indicators by their scope or by a data problem,
-- and why (core.quality_issues), for statisticians' queries.
CREATE OR REPLACE VIEW main.quality_issues AS SELECT * FROM core.quality_issues;
