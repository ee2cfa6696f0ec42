WITH years AS (
    SELECT dep, unnest(range(min(year(event_date)), max(year(event_date)) + 1)) AS year
    FROM core.adoption_events GROUP BY dep
), pupilles AS (
    SELECT y.dep, y.year, count(DISTINCT a.child_id) AS pupilles
    FROM years y
    JOIN core.adoption_events a ON a.dep = y.dep AND a.event = 'Admission pupille'
     AND a.event_date <= make_date(y.year, 12, 31)
    WHERE NOT EXISTS (SELECT 1 FROM core.adoption_events j
                      WHERE j.dep = a.dep AND j.child_id = a.child_id AND j.event = 'Jugement d''adoption'
                        AND j.event_date <= make_date(y.year, 12, 31))
    GROUP BY ALL
)
SELECT y.dep, y.year AS period, 'Ensemble' AS territory, coalesce(p.pupilles, 0) AS numerator
FROM years y LEFT JOIN pupilles p USING (dep, year)
