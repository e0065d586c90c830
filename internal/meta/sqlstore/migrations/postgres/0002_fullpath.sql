-- 0002: an index in full-path order per repository (see migrations/sqlite/0002_fullpath.sql):
-- a deep listing pages by the path of its last item instead of sorting the whole subtree. The
-- expression must stay the one fullPathExpr (tree.go) writes; path and name collate "C", so
-- the expression does too.
CREATE INDEX items_repo_fullpath ON items (repo, (CASE WHEN path = '.' THEN name ELSE path || '/' || name END));
