WITH counts AS (
    SELECT c.dep, c.year, coalesce(c.territory, 'Ensemble') AS territory,
           count(*) AS children, bool_or(y.provisional) AS provisional
    FROM core.crip_children c JOIN core.crip_years y ON y.dep = c.dep AND y.year = c.year
    WHERE c.age BETWEEN 0 AND 17
    GROUP BY c.dep, c.year, ROLLUP (c.territory)
),
pop AS (
    SELECT dep, year, CASE WHEN geo_level = 'DEP' THEN 'Ensemble' ELSE geo END AS territory, sum(population) AS population
    FROM core.population_aged(0, 17)
    WHERE sex IN ('F', 'M') AND (geo_level = 'TERR' OR geo = dep)
    GROUP BY ALL
)
SELECT c.dep, c.year AS period, c.territory,
       c.children AS numerator, coalesce(p1.population, p0.population) AS denominator,
       CASE WHEN c.provisional OR p1.population IS NULL THEN 'provisional' ELSE 'final' END AS status
FROM counts c
LEFT JOIN pop p1 ON p1.dep = c.dep AND p1.year = c.year + 1 AND p1.territory = c.territory
LEFT JOIN pop p0 ON p0.dep = c.dep AND p0.year = c.year AND p0.territory = c.territory
WHERE coalesce(p1.population, p0.population) IS NOT NULL
