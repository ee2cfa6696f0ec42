WITH seen AS (
    SELECT dep, year, sum(bilan_children) AS children,
           count(bilan_children) < 12 * any_value(x.territories_expected) AS incomplete
    FROM core.pmi_monthly JOIN core.pmi_expected x USING (dep, year) GROUP BY ALL
),
births AS (SELECT dep, year, sum(births) AS births FROM core.births GROUP BY ALL)
SELECT s.dep, s.year AS period, 'Ensemble' AS territory,
       s.children AS numerator, b.births AS denominator,
       CASE WHEN s.incomplete THEN 'incomplete' ELSE 'final' END AS status
FROM seen s JOIN births b ON b.dep = s.dep AND b.year = s.year - 4
