-- 0003_indicators: the catalogue and the long table of indicator values
-- that every export reads, and the views statisticians query.

-- The declarations, as loaded by the refresh that computed the values.
CREATE TABLE ind.catalogue (
    indicator VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, family VARCHAR NOT NULL,
    definition VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    numerator VARCHAR, denominator VARCHAR, breakdowns VARCHAR[],
    reference_date VARCHAR, sources VARCHAR[], convention VARCHAR,
    target DOUBLE, target_comparison VARCHAR, is_key BOOLEAN,
    declared_in VARCHAR NOT NULL, query VARCHAR NOT NULL
);

-- One row per indicator, département, period, territory and breakdown
-- values. 'Ensemble' is the total over a breakdown (territory = 'Ensemble'
-- is the département); NULL means the indicator has no such breakdown.
CREATE TABLE ind.values (
    run_id BIGINT NOT NULL,
    indicator VARCHAR NOT NULL,
    dep VARCHAR NOT NULL,
    period INTEGER NOT NULL,
    territory VARCHAR NOT NULL,
    service VARCHAR, category VARCHAR, public VARCHAR, sex VARCHAR,
    age_band VARCHAR, mode VARCHAR, event VARCHAR,
    numerator DOUBLE, denominator DOUBLE, value DOUBLE,
    unit VARCHAR NOT NULL,
    status VARCHAR NOT NULL           -- final, provisional, incomplete
);

-- Values with N−1 and the evolution the département's reports show beside
-- them: a difference in points for shares and rates, a relative change (%)
-- for counts.
CREATE VIEW main.indicator_values AS
SELECT v.indicator, c.label, v.dep, v.period, v.territory,
       v.service, v.category, v.public, v.sex, v.age_band, v.mode, v.event,
       v.numerator, v.denominator, v.value, v.unit, v.status,
       p.value AS previous_value,
       CASE WHEN p.value IS NULL OR v.value IS NULL THEN NULL
            WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN v.value - p.value
            WHEN p.value = 0 THEN NULL
            ELSE 100 * (v.value - p.value) / p.value END AS evolution,
       CASE WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN 'points' ELSE '%' END AS evolution_unit,
       v.run_id
FROM ind.values v
JOIN ind.catalogue c USING (indicator)
LEFT JOIN ind.values p
  ON p.indicator = v.indicator AND p.dep = v.dep AND p.period = v.period - 1
 AND p.territory = v.territory
 AND p.service IS NOT DISTINCT FROM v.service AND p.category IS NOT DISTINCT FROM v.category
 AND p.public IS NOT DISTINCT FROM v.public AND p.sex IS NOT DISTINCT FROM v.sex
 AND p.age_band IS NOT DISTINCT FROM v.age_band AND p.mode IS NOT DISTINCT FROM v.mode
 AND p.event IS NOT DISTINCT FROM v.event;

CREATE VIEW main.indicators AS SELECT * FROM ind.catalogue;
