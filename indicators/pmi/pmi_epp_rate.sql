WITH epp AS (
    SELECT dep, year, sum(epp) AS epp,
           count(epp) < 12 * any_value(x.territories_expected) AS incomplete
    FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year) GROUP BY ALL
),
births AS (SELECT dep, year, sum(births) AS births FROM core.births GROUP BY ALL)
SELECT e.dep, e.year AS period, 'Ensemble' AS territory,
       e.epp AS numerator, b.births AS denominator,
       CASE WHEN e.incomplete THEN 'incomplete' ELSE 'final' END AS status
FROM epp e JOIN births b USING (dep, year)
