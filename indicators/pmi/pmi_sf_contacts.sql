-- Sum over the months of the year; incomplete when a territory lacks a month.
SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(sf_contacts) AS numerator,
       CASE WHEN count(sf_contacts) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year)
GROUP BY dep, year, ROLLUP (territory)
