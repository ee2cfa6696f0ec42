-- The total over services is incomplete when a service that sent a
-- report the year before has not (core.activity_completeness).
SELECT a.dep, a.year AS period, 'Ensemble' AS territory,
       coalesce(service_code, 'Ensemble') AS service,
       coalesce(age_band, 'Ensemble') AS age_band,
       coalesce(sex, 'Ensemble') AS sex,
       sum(persons) AS numerator,
       CASE WHEN grouping(service_code) = 1 AND any_value(c.services_missing) > 0 THEN 'incomplete' ELSE 'final' END AS status
FROM core.activity_public a
JOIN core.activity_completeness c ON c.dep = a.dep AND c.year = a.year AND c.basis = 'report'
WHERE public = 'individuel'
GROUP BY a.dep, a.year, CUBE (service_code, age_band, sex)
