WITH s AS (
    SELECT y.dep, y.year, y.provisional, s.territory, coalesce(s.outcome, 'Évaluation en cours') AS outcome
    FROM core.crip_years y JOIN core.crip_ip_summary s ON s.dep = y.dep AND s.year = y.year
),
g AS (
    SELECT dep, year, coalesce(territory, 'Ensemble') AS territory, coalesce(outcome, 'Ensemble') AS event,
           count(*) FILTER (WHERE outcome <> 'Évaluation en cours') AS n,
           bool_or(provisional OR outcome = 'Évaluation en cours') AS provisional
    FROM s GROUP BY dep, year, CUBE (territory, outcome)
)
SELECT g.dep, g.year AS period, g.territory, g.event, g.n AS numerator, t.n AS denominator,
       CASE WHEN t.provisional THEN 'provisional' ELSE 'final' END AS status
FROM g JOIN g t ON t.dep = g.dep AND t.year = g.year AND t.territory = g.territory AND t.event = 'Ensemble'
WHERE g.event <> 'Évaluation en cours' AND t.n > 0
