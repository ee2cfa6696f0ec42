WITH placements AS (
    SELECT p.dep, p.child_id, p.event_date AS placed,
           max(a.event_date) AS admitted
    FROM core.adoption_events p
    JOIN core.adoption_events a ON a.dep = p.dep AND a.child_id = p.child_id
     AND a.event = 'Admission pupille' AND a.event_date <= p.event_date
    WHERE p.event = 'Placement en vue d''adoption'
    GROUP BY ALL
)
SELECT dep, year(placed) AS period, 'Ensemble' AS territory,
       count(*) AS numerator,
       median(date_diff('day', admitted, placed)) AS value
FROM placements GROUP BY ALL
