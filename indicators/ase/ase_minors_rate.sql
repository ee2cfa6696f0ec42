-- Population aged 0-17 at 1 January N+1 (= 31 December N), or at
-- 1 January N while N+1 is not published (then provisional).
WITH counts AS (
    SELECT dep, year, coalesce(territory, 'Ensemble') AS territory, coalesce(sex, 'Ensemble') AS sex,
           count(*) AS children, bool_or(provisional) AS provisional
    FROM core.ase_situation
    WHERE age BETWEEN 0 AND 17 AND true
    GROUP BY dep, year, CUBE (territory, sex)
),
pop AS (
    SELECT dep, year, CASE WHEN geo_level = 'DEP' THEN 'Ensemble' ELSE geo END AS territory,
           CASE WHEN sex = '_T' THEN 'Ensemble' ELSE sex END AS sex, population
    FROM core.population_aged(0, 17)
    WHERE geo_level = 'TERR' OR geo = dep
)
SELECT c.dep, c.year AS period, c.territory, c.sex,
       c.children AS numerator, coalesce(p1.population, p0.population) AS denominator,
       CASE WHEN c.provisional OR p1.population IS NULL THEN 'provisional' ELSE 'final' END AS status
FROM counts c
LEFT JOIN pop p1 ON p1.dep = c.dep AND p1.year = c.year + 1 AND p1.territory = c.territory AND p1.sex = c.sex
LEFT JOIN pop p0 ON p0.dep = c.dep AND p0.year = c.year AND p0.territory = c.territory AND p0.sex = c.sex
WHERE coalesce(p1.population, p0.population) IS NOT NULL
