SELECT dep, year AS period,
       coalesce(territory, 'Ensemble') AS territory,
       coalesce(sex, 'Ensemble') AS sex,
       coalesce(age_band, 'Ensemble') AS age_band,
       count(*) AS numerator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.ase_situation
WHERE age_band IS NOT NULL AND true
GROUP BY dep, year, CUBE (territory, sex, age_band)
