WITH e AS (
    SELECT dep, list_year AS year, territory, category, places
    FROM core.establishments
    WHERE opened <= make_date(list_year, 12, 31)
      AND (closed IS NULL OR closed > make_date(list_year, 12, 31))
)
SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory, coalesce(category, 'Ensemble') AS category,
       sum(places) AS numerator
FROM e GROUP BY dep, year, CUBE (territory, category)
