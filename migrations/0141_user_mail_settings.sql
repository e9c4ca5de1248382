-- What each person's email says and whether they get it: the language of their notices (the
-- console's two), and the producer's notices about their batches (received, released, rejected),
-- on unless they turn them off.
ALTER TABLE users
    ADD COLUMN language text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    ADD COLUMN batch_notices boolean NOT NULL DEFAULT true;
