-- An events app, hand-written for SQLite: IF NOT EXISTS, a table WITHOUT ROWID, loose type
-- names (INT, VARCHAR, DATETIME, BOOLEAN), defaults in parentheses.
CREATE TABLE IF NOT EXISTS venue (
  id INTEGER NOT NULL,
  "Name" VARCHAR(80) NOT NULL,
  capacity INT NOT NULL DEFAULT (100),
  notes TEXT,
  CONSTRAINT venue_pk PRIMARY KEY (id),
  CONSTRAINT venue_name_uq UNIQUE ("Name")
);
CREATE TABLE IF NOT EXISTS event (
  id INTEGER PRIMARY KEY,
  venue_id INTEGER REFERENCES venue (id) ON DELETE SET NULL,
  title VARCHAR(120) NOT NULL DEFAULT 'Untitled',
  starts_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  price REAL,
  is_free BOOLEAN NOT NULL DEFAULT FALSE,
  UNIQUE (venue_id, title)
);
CREATE TABLE tag (
  name VARCHAR(30) NOT NULL PRIMARY KEY,
  color CHAR(7)
) WITHOUT ROWID;
