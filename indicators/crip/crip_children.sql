SELECT c.dep, c.year AS period,
       coalesce(c.territory, 'Ensemble') AS territory,
       coalesce(c.sex, 'Ensemble') AS sex,
       coalesce(c.age_band, 'Ensemble') AS age_band,
       count(*) AS numerator, CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_children c JOIN core.crip_years y ON y.dep = c.dep AND y.year = c.year
GROUP BY c.dep, c.year, CUBE (c.territory, c.sex, c.age_band)
