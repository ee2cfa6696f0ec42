SELECT y.dep, y.year AS period, coalesce(s.territory, 'Ensemble') AS territory,
       count(*) FILTER (WHERE s.outcome IN ('Signalement au procureur', 'Information au juge des enfants déjà saisi')) AS numerator,
       count(s.outcome) AS denominator,
       CASE WHEN bool_or(y.provisional OR s.outcome IS NULL) THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_years y JOIN core.crip_ip_summary s ON s.dep = y.dep AND s.year = y.year
GROUP BY y.dep, y.year, ROLLUP (s.territory)
HAVING count(s.outcome) > 0
