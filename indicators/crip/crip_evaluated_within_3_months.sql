SELECT y.dep, y.year AS period, coalesce(s.territory, 'Ensemble') AS territory,
       count(*) FILTER (WHERE s.evaluated <= s.received + INTERVAL 3 MONTH) AS numerator,
       count(*) FILTER (WHERE s.evaluated IS NOT NULL OR s.received + INTERVAL 3 MONTH <= y.snapshot_date) AS denominator,
       CASE WHEN bool_or(y.provisional OR (s.evaluated IS NULL AND s.received + INTERVAL 3 MONTH > y.snapshot_date))
            THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_years y JOIN core.crip_ip_summary s ON s.dep = y.dep AND s.year = y.year
GROUP BY y.dep, y.year, ROLLUP (s.territory)
HAVING count(*) FILTER (WHERE s.evaluated IS NOT NULL OR s.received + INTERVAL 3 MONTH <= y.snapshot_date) > 0
