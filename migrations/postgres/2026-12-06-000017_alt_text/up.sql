-- Text alternatives (Circular 26/2020/TT-BTTTT Art. 5; Decree 224/2026 Art. 10.3.c): the alt
-- text of each photo, and the transcript of each song or video.
ALTER TABLE photos ADD COLUMN alt TEXT NOT NULL DEFAULT '';
ALTER TABLE media_items ADD COLUMN transcript TEXT NOT NULL DEFAULT '';
