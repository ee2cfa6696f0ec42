SELECT y.dep, y.year AS period,
       coalesce(s.territory, 'Ensemble') AS territory,
       coalesce(s.danger, 'Ensemble') AS category,
       count(*) AS numerator, CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_years y JOIN core.crip_ip_summary s ON s.dep = y.dep AND s.year = y.year
GROUP BY y.dep, y.year, CUBE (s.territory, s.danger)
