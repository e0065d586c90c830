-- 0002: an index in full-path order per repository, so that a deep listing pages by the path
-- of its last item (keyset) instead of sorting the whole subtree. The expression must stay the
-- one fullPathExpr (tree.go) writes, or the planner will not use the index.
CREATE INDEX items_repo_fullpath ON items (repo, (CASE WHEN path = '.' THEN name ELSE path || '/' || name END));
