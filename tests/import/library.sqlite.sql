-- A library's schema, hand-written for SQLite: composite keys and references, a join table,
-- a self-reference, BETWEEN and length checks.
CREATE TABLE branch (
  code CHAR(3) PRIMARY KEY NOT NULL,
  city VARCHAR(60) NOT NULL,
  opened DATE NOT NULL DEFAULT '2001-01-01',
  CONSTRAINT branch_code_length CHECK (length(code) >= 3)
);
CREATE TABLE shelf (
  branch_code CHAR(3) NOT NULL REFERENCES branch (code) ON UPDATE CASCADE,
  number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 500),
  label TEXT,
  PRIMARY KEY (branch_code, number)
);
CREATE TABLE book (
  id TEXT PRIMARY KEY NOT NULL,
  isbn VARCHAR(17) NOT NULL UNIQUE,
  title VARCHAR(300) NOT NULL,
  price NUMERIC(8, 2) DEFAULT -1.50,
  rating REAL,
  pages BIGINT,
  cover BLOB,
  branch_code CHAR(3),
  shelf_number INTEGER,
  sequel_of TEXT REFERENCES book (id) ON DELETE SET NULL,
  FOREIGN KEY (branch_code, shelf_number) REFERENCES shelf (branch_code, number)
    ON DELETE RESTRICT
);
CREATE INDEX book_title_branch_idx ON book (title, branch_code);
CREATE TABLE author (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(120) NOT NULL,
  born SMALLINT
);
CREATE TABLE book_author (
  book_id TEXT NOT NULL REFERENCES book (id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES author (id) ON DELETE CASCADE,
  PRIMARY KEY (book_id, author_id)
);
