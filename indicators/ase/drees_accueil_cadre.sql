-- Children accueillis at 31/12 by the frame of the decision of their main
-- accueil (administrative or judicial, as grouped in the DREES enquête
-- Aide sociale) and its mode d'hébergement: the sub-totals of
-- drees_accueil_decision, whose mapping it repeats.
WITH a AS (
    SELECT dep, year, territory, provisional,
           CASE
               WHEN accueil_nature IN ('Accueil provisoire', 'Accueil provisoire jeune majeur', 'Pupille de l''État',
                                       'Accueil d''urgence 72h', 'Mise à l''abri MNA') THEN 'Décisions administratives'
               WHEN accueil_nature IN ('Placement judiciaire', 'Tutelle / délégation d''autorité parentale') THEN 'Décisions judiciaires'
               ELSE 'Décision non renseignée'
           END AS cadre,
           CASE
               WHEN mode_accueil IS NULL THEN 'Non renseigné'
               WHEN mode_accueil = 'Assistant familial' THEN 'Familles d''accueil'
               WHEN mode_accueil IN ('Établissement (MECS)', 'Centre maternel', 'Lieu de vie et d''accueil') THEN 'Établissements'
               WHEN mode_accueil IN ('Logement autonome', 'Foyer de jeunes travailleurs') THEN 'Adolescents et jeunes majeurs autonomes'
               ELSE 'Autres modes d''hébergement'
           END AS hebergement
    FROM core.ase_situation
    WHERE in_accueil AND age_band IS NOT NULL
)
SELECT dep, year AS period,
       coalesce(territory, 'Ensemble') AS territory,
       coalesce(cadre, 'Ensemble') AS category,
       coalesce(hebergement, 'Ensemble') AS mode,
       count(*) AS numerator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM a
GROUP BY dep, year, CUBE (territory, cadre, hebergement)
