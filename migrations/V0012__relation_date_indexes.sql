-- The credit module's daily job reloads the related parties of institutions whose relation ended yesterday or
-- starts today; these keys keep that lookup off a scan of every relation.
ALTER TABLE institution_relations ADD KEY idx_relations_valid_to (valid_to), ADD KEY idx_relations_valid_from (valid_from);
