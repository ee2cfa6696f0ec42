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
, by_service AS (
    SELECT dep, year, coalesce(service_code, 'Ensemble') AS service,
           coalesce(category, 'Ensemble') AS category, sum(hours) AS hours
    FROM hours GROUP BY dep, year, CUBE (service_code, category)
)
-- The share over all services is incomplete when a service that reported
-- the year before has not (core.activity_completeness).
SELECT c.dep, c.year AS period, 'Ensemble' AS territory, c.service, c.category,
       c.hours AS numerator, t.hours AS denominator,
       CASE WHEN c.service = 'Ensemble' AND k.services_missing > 0 THEN 'incomplete' ELSE 'final' END AS status
FROM by_service c
JOIN by_service t ON t.dep = c.dep AND t.year = c.year AND t.service = c.service AND t.category = 'Ensemble'
JOIN core.activity_completeness k ON k.dep = c.dep AND k.year = c.year AND k.basis = 'hours'
WHERE c.category <> 'Ensemble'
