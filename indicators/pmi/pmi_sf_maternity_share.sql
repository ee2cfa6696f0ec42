SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(sf_maternity) FILTER (WHERE sf_contacts IS NOT NULL) AS numerator,
       sum(sf_contacts) FILTER (WHERE sf_maternity IS NOT NULL) AS denominator,
       CASE WHEN count(sf_maternity) < 12 * count(DISTINCT territory)
              OR count(sf_contacts) < 12 * count(DISTINCT territory) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly
GROUP BY dep, year, ROLLUP (territory)
