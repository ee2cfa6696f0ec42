WITH hit AS (
    SELECT DISTINCT i.dep, year(i.received) AS year, i.child_id
    FROM core.crip_ips i
    JOIN core.ase_measures m ON m.dep = i.dep AND m.child_id = i.child_id
     AND m.start_date >= i.received AND m.start_date <= i.received + INTERVAL 12 MONTH
)
SELECT c.dep, c.year AS period, coalesce(c.territory, 'Ensemble') AS territory,
       count(h.child_id) AS numerator, count(*) AS denominator,
       CASE WHEN make_date(c.year, 12, 31) + INTERVAL 12 MONTH > any_value(e.extract_date)
            THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_children c
JOIN core.ase_extract e ON e.dep = c.dep
LEFT JOIN hit h ON h.dep = c.dep AND h.year = c.year AND h.child_id = c.child_id
WHERE c.year <= year(e.extract_date)
GROUP BY c.dep, c.year, ROLLUP (c.territory)
