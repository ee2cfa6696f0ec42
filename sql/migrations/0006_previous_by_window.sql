-- 0006_previous_by_window: N−1 read by a window over each series instead
-- of a self-join. A query that selects some indicators (an export of the
-- families a new file changed) then reads their values only: the filter
-- on the indicator goes through the window, not through the join's other
-- side, which read every value of the warehouse.
CREATE OR REPLACE VIEW main.indicator_values AS
WITH series AS (
    SELECT v.*,
           lag(v.value) OVER w AS lag_value,
           lag(v.period) OVER w AS lag_period
    FROM ind.values v
    WINDOW w AS (PARTITION BY v.indicator, v.dep, v.territory, v.service, v.category,
                              v.public, v.sex, v.age_band, v.mode, v.event
                 ORDER BY v.period)
),
previous AS (
    SELECT s.*, CASE WHEN s.lag_period = s.period - 1 THEN s.lag_value END AS previous_value
    FROM series s
)
SELECT v.indicator, c.label, v.dep, v.period, v.territory,
       v.service, v.category, v.public, v.sex, v.age_band, v.mode, v.event,
       v.numerator, v.denominator, v.value, v.unit, v.status,
       v.previous_value,
       CASE WHEN v.previous_value IS NULL OR v.value IS NULL THEN NULL
            WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN v.value - v.previous_value
            WHEN v.previous_value = 0 THEN NULL
            ELSE 100 * (v.value - v.previous_value) / v.previous_value END AS evolution,
       CASE WHEN v.unit IN ('%', '‰', 'per100k', 'ratio') THEN 'points' ELSE '%' END AS evolution_unit,
       v.run_id
FROM previous v
JOIN ind.catalogue c USING (indicator);
