SELECT dep, year AS period, 'Ensemble' AS territory,
       coalesce(service_code, 'Ensemble') AS service,
       sum(coalesce(collective_actions, 0)) AS numerator
FROM core.activity_services
GROUP BY dep, year, ROLLUP (service_code)
