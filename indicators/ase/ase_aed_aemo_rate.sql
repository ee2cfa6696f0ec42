WITH f AS (SELECT * FROM core.ase_frames WHERE age BETWEEN 0 AND 17 AND (aed OR aemo)),
k AS (
    SELECT dep, year, territory, provisional, 'AED' AS category FROM f WHERE aed
    UNION ALL SELECT dep, year, territory, provisional, 'AEMO' FROM f WHERE aemo
    UNION ALL SELECT dep, year, territory, provisional, 'Ensemble' FROM f
),
counts AS (
    SELECT dep, year, coalesce(territory, 'Ensemble') AS territory, category,
           count(*) AS children, bool_or(provisional) AS provisional
    FROM k GROUP BY dep, year, category, ROLLUP (territory)
),
pop AS (
    SELECT dep, year, CASE WHEN geo_level = 'DEP' THEN 'Ensemble' ELSE geo END AS territory, sum(population) AS population
    FROM core.population_aged(0, 17)
    WHERE sex IN ('F', 'M') AND (geo_level = 'TERR' OR geo = dep)
    GROUP BY ALL
)
SELECT c.dep, c.year AS period, c.territory, c.category,
       c.children AS numerator, coalesce(p1.population, p0.population) AS denominator,
       CASE WHEN c.provisional OR p1.population IS NULL THEN 'provisional' ELSE 'final' END AS status
FROM counts c
LEFT JOIN pop p1 ON p1.dep = c.dep AND p1.year = c.year + 1 AND p1.territory = c.territory
LEFT JOIN pop p0 ON p0.dep = c.dep AND p0.year = c.year AND p0.territory = c.territory
WHERE coalesce(p1.population, p0.population) IS NOT NULL
