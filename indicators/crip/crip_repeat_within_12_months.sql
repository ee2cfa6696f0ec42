WITH hit AS (
    SELECT DISTINCT a.dep, year(a.received) AS year, a.child_id
    FROM core.crip_ips a
    JOIN core.crip_ips b ON b.dep = a.dep AND b.child_id = a.child_id AND b.ip_id <> a.ip_id
     AND b.received >= a.received AND b.received <= a.received + INTERVAL 12 MONTH
)
SELECT c.dep, c.year AS period, coalesce(c.territory, 'Ensemble') AS territory,
       count(h.child_id) AS numerator, count(*) AS denominator,
       CASE WHEN make_date(c.year, 12, 31) + INTERVAL 12 MONTH > any_value(y.snapshot_date)
            THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_children c
JOIN core.crip_years y ON y.dep = c.dep AND y.year = c.year
LEFT JOIN hit h ON h.dep = c.dep AND h.year = c.year AND h.child_id = c.child_id
GROUP BY c.dep, c.year, ROLLUP (c.territory)
