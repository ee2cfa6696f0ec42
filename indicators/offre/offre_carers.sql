WITH c AS (
    SELECT y.dep, y.year, y.provisional, f.territory, f.places, y.year - f.birth_year AS age
    FROM core.foster_carer_years y
    JOIN core.foster_carers f ON f.dep = y.dep AND f.hire_date <= y.ref_date
     AND (f.end_date IS NULL OR f.end_date >= y.ref_date)
)
SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory, coalesce(age_band, 'Ensemble') AS age_band,
       count(*) AS numerator, CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM (SELECT *, CASE WHEN age < 45 THEN 'Moins de 45 ans' WHEN age < 55 THEN '45-54 ans'
                     WHEN age < 60 THEN '55-59 ans' ELSE '60 ans et plus' END AS age_band FROM c)
GROUP BY dep, year, CUBE (territory, age_band)
