SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       count(*) FILTER (WHERE mode_accueil = 'Assistant familial') AS numerator,
       count(*) AS denominator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.ase_situation
WHERE in_accueil AND age_band IS NOT NULL
GROUP BY dep, year, ROLLUP (territory)
