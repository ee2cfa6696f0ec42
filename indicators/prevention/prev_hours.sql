-- Hours of each service, year and category; a category missing from a
-- report counts 0 h so that every service has its six categories.
WITH services AS (SELECT DISTINCT dep, service_code, year FROM core.activity_hours),
hours AS (
    SELECT s.dep, s.service_code, s.year, c.code AS category, coalesce(sum(h.hours), 0) AS hours
    FROM services s
    CROSS JOIN core.code_lists c
    LEFT JOIN core.activity_hours h
           ON h.dep = s.dep AND h.service_code = s.service_code AND h.year = s.year AND h.category = c.code
    WHERE c.list = 'activity_category'
    GROUP BY ALL
)
-- The total over services is incomplete when a service that reported the
-- year before has not (core.activity_completeness).
SELECT h.dep, h.year AS period, 'Ensemble' AS territory,
       coalesce(service_code, 'Ensemble') AS service,
       coalesce(category, 'Ensemble') AS category,
       sum(hours) AS numerator,
       CASE WHEN grouping(service_code) = 1 AND any_value(c.services_missing) > 0 THEN 'incomplete' ELSE 'final' END AS status
FROM hours h
JOIN core.activity_completeness c ON c.dep = h.dep AND c.year = h.year AND c.basis = 'hours'
GROUP BY h.dep, h.year, CUBE (service_code, category)
