-- 0020_catalogue_disclosure: the disclosure links of each declaration
-- (indicators.Disclosure as JSON: the cells a share's numerator and
-- denominator are made of, subsets, identities between indicators), which
-- the disclosure control of the exports reads to protect linked tables as
-- one system. NULL when the declaration has none.
ALTER TABLE ind.catalogue ADD COLUMN disclosure VARCHAR;
