SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(bilan_children) FILTER (WHERE bilan_sessions IS NOT NULL) AS numerator,
       sum(bilan_sessions) FILTER (WHERE bilan_children IS NOT NULL) AS denominator,
       CASE WHEN count(bilan_children) < 12 * count(DISTINCT territory)
              OR count(bilan_sessions) < 12 * count(DISTINCT territory) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly
GROUP BY dep, year, ROLLUP (territory)
