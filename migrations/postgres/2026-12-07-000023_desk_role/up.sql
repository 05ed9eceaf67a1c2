-- A desk officer (issue 18): receives dossiers and moves them on, edits nothing else.
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('editor', 'author', 'desk'));
