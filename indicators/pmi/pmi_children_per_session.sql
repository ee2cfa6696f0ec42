SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(bilan_children) FILTER (WHERE bilan_sessions IS NOT NULL) AS numerator,
       sum(bilan_sessions) FILTER (WHERE bilan_children IS NOT NULL) AS denominator,
       CASE WHEN count(bilan_children) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END)
              OR count(bilan_sessions) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year)
GROUP BY dep, year, ROLLUP (territory)
