-- Sum over the months of the year; incomplete when a territory lacks a month.
SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(puer_contacts) AS numerator,
       CASE WHEN count(puer_contacts) < 12 * count(DISTINCT territory) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly
GROUP BY dep, year, ROLLUP (territory)
