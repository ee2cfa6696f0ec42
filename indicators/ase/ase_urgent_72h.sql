SELECT y.dep, y.year AS period, coalesce(m.territory, 'Ensemble') AS territory,
       count(DISTINCT m.child_id) AS numerator,
       CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.ase_years y
JOIN core.ase_measures m ON m.dep = y.dep AND year(m.start_date) = y.year
WHERE m.nature = 'Accueil d''urgence 72h'
GROUP BY y.dep, y.year, ROLLUP (m.territory)
