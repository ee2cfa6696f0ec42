SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(epp_followed) FILTER (WHERE epp IS NOT NULL) AS numerator,
       sum(epp) FILTER (WHERE epp_followed IS NOT NULL) AS denominator,
       CASE WHEN count(epp_followed) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END)
              OR count(epp) < 12 * (CASE WHEN grouping(territory) = 1 THEN any_value(x.territories_expected) ELSE 1 END) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year)
GROUP BY dep, year, ROLLUP (territory)
