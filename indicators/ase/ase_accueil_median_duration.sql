SELECT y.dep, y.year AS period, coalesce(m.territory, 'Ensemble') AS territory,
       count(*) AS numerator,
       median(date_diff('day', m.start_date, m.end_date)) AS value,
       CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.ase_years y
JOIN core.ase_measures m ON m.dep = y.dep AND year(m.end_date) = y.year
WHERE m.is_accueil
GROUP BY y.dep, y.year, ROLLUP (m.territory)
