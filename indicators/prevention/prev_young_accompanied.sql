SELECT dep, year AS period, 'Ensemble' AS territory,
       coalesce(service_code, 'Ensemble') AS service,
       coalesce(age_band, 'Ensemble') AS age_band,
       coalesce(sex, 'Ensemble') AS sex,
       sum(persons) AS numerator
FROM core.activity_public
WHERE public = 'individuel'
GROUP BY dep, year, CUBE (service_code, age_band, sex)
