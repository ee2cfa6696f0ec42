WITH years AS (
    SELECT dep, unnest(range(min(year(event_date)), max(year(event_date)) + 1)) AS year
    FROM core.adoption_events GROUP BY dep
)
SELECT y.dep, y.year AS period, 'Ensemble' AS territory,
       count(e.child_id) AS numerator
FROM years y
LEFT JOIN core.adoption_events e
       ON e.dep = y.dep AND year(e.event_date) = y.year AND e.event IN ('Requête art. 378-1 (retrait de l''autorité parentale)')
GROUP BY y.dep, y.year
