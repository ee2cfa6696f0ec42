SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(epp_followed) FILTER (WHERE epp IS NOT NULL) AS numerator,
       sum(epp) FILTER (WHERE epp_followed IS NOT NULL) AS denominator,
       CASE WHEN count(epp_followed) < 12 * count(DISTINCT territory)
              OR count(epp) < 12 * count(DISTINCT territory) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly
GROUP BY dep, year, ROLLUP (territory)
