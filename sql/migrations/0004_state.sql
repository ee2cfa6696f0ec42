-- 0004_state: small facts about the warehouse itself, such as the hash of
-- the indicator catalogue its values were computed with.
CREATE TABLE meta.state (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Reference code lists (the vocabulary of SOURCES.md), written by every
-- refresh from the code that validates the files.
CREATE TABLE core.code_lists (
    list     VARCHAR NOT NULL,
    code     VARCHAR NOT NULL,
    position INTEGER NOT NULL
);
