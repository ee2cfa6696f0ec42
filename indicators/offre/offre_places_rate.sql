WITH e AS (
    SELECT dep, list_year AS year, territory, category, places
    FROM core.establishments
    WHERE opened <= make_date(list_year, 12, 31)
      AND (closed IS NULL OR closed > make_date(list_year, 12, 31))
),
counts AS (
    SELECT dep, year, coalesce(territory, 'Ensemble') AS territory, sum(places) AS places
    FROM e GROUP BY dep, year, ROLLUP (territory)
),
pop AS (
    SELECT dep, year, CASE WHEN geo_level = 'DEP' THEN 'Ensemble' ELSE geo END AS territory, sum(population) AS population
    FROM core.population_aged(0, 20)
    WHERE sex IN ('F', 'M') AND (geo_level = 'TERR' OR geo = dep)
    GROUP BY ALL
)
SELECT c.dep, c.year AS period, c.territory,
       c.places AS numerator, coalesce(p1.population, p0.population) AS denominator,
       CASE WHEN p1.population IS NULL THEN 'provisional' ELSE 'final' END AS status
FROM counts c
LEFT JOIN pop p1 ON p1.dep = c.dep AND p1.year = c.year + 1 AND p1.territory = c.territory
LEFT JOIN pop p0 ON p0.dep = c.dep AND p0.year = c.year AND p0.territory = c.territory
WHERE coalesce(p1.population, p0.population) IS NOT NULL
