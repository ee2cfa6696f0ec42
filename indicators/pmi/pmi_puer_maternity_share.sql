SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       sum(puer_maternity) FILTER (WHERE puer_contacts IS NOT NULL) AS numerator,
       sum(puer_contacts) FILTER (WHERE puer_maternity IS NOT NULL) AS denominator,
       CASE WHEN count(puer_maternity) < 12 * count(DISTINCT territory)
              OR count(puer_contacts) < 12 * count(DISTINCT territory) THEN 'incomplete' ELSE 'final' END AS status
FROM core.pmi_monthly
GROUP BY dep, year, ROLLUP (territory)
