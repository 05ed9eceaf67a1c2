-- The text alternative of an uploaded image (Circular 26/2020/TT-BTTTT Art. 5), set by staff.
ALTER TABLE uploads ADD COLUMN alt TEXT NOT NULL DEFAULT '';
