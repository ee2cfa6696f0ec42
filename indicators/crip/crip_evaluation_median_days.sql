SELECT y.dep, y.year AS period, coalesce(s.territory, 'Ensemble') AS territory,
       count(s.evaluated) AS numerator,
       median(date_diff('day', s.received, s.evaluated)) AS value,
       CASE WHEN bool_or(y.provisional OR s.evaluated IS NULL) THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_years y JOIN core.crip_ip_summary s ON s.dep = y.dep AND s.year = y.year
GROUP BY y.dep, y.year, ROLLUP (s.territory)
HAVING count(s.evaluated) > 0
