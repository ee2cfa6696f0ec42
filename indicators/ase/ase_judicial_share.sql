SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       count(*) FILTER (WHERE judicial) AS numerator, count(*) AS denominator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.ase_frames
WHERE age BETWEEN 0 AND 20
GROUP BY dep, year, ROLLUP (territory)
