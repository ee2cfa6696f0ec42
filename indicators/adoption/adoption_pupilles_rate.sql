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
, pop AS (SELECT dep, year, population FROM core.population_aged(0, 17) WHERE geo_level = 'DEP' AND sex = '_T')
SELECT y.dep, y.year AS period, 'Ensemble' AS territory,
       coalesce(p.pupilles, 0) AS numerator, coalesce(p1.population, p0.population) AS denominator,
       CASE WHEN p1.population IS NULL THEN 'provisional' ELSE 'final' END AS status
FROM years y LEFT JOIN pupilles p USING (dep, year)
LEFT JOIN pop p1 ON p1.dep = y.dep AND p1.year = y.year + 1
LEFT JOIN pop p0 ON p0.dep = y.dep AND p0.year = y.year
WHERE coalesce(p1.population, p0.population) IS NOT NULL
