SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(puer_maternity) FILTER (WHERE puer_contacts IS NOT NULL) AS numerator,
       sum(puer_contacts) FILTER (WHERE puer_maternity IS NOT NULL) AS denominator,
       CASE WHEN count(puer_maternity) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END)
              OR count(puer_contacts) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year)
GROUP BY dep, year, ROLLUP (territory)
