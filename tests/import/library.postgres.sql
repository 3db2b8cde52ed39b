-- A library's schema, hand-written for PostgreSQL: composite keys and references, a join
-- table, a self-reference, BETWEEN and length checks, expression defaults.
CREATE TABLE branch (
  code char(3) PRIMARY KEY,
  city varchar(60) NOT NULL,
  opened date NOT NULL DEFAULT '2001-01-01',
  CONSTRAINT branch_code_length CHECK (length(code) >= 3)
);
CREATE TABLE shelf (
  branch_code char(3) NOT NULL REFERENCES branch (code) ON UPDATE CASCADE,
  number integer NOT NULL CHECK (number BETWEEN 1 AND 500),
  label text,
  PRIMARY KEY (branch_code, number)
);
CREATE TABLE book (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  isbn varchar(17) NOT NULL,
  title varchar(300) NOT NULL,
  price numeric(8, 2) DEFAULT -1.50,
  rating double precision,
  pages bigint,
  cover bytea,
  branch_code char(3),
  shelf_number integer,
  sequel_of uuid REFERENCES book (id) ON DELETE SET NULL,
  added_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT book_isbn_key UNIQUE (isbn),
  CONSTRAINT book_shelf_fk FOREIGN KEY (branch_code, shelf_number)
    REFERENCES shelf (branch_code, number) ON DELETE RESTRICT
);
CREATE INDEX book_title_branch_idx ON book (title, branch_code);
CREATE TABLE author (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name varchar(120) NOT NULL,
  born smallint
);
CREATE TABLE book_author (
  book_id uuid NOT NULL REFERENCES book (id) ON DELETE CASCADE,
  author_id bigint NOT NULL REFERENCES author (id) ON DELETE CASCADE,
  PRIMARY KEY (book_id, author_id)
);
COMMENT ON COLUMN book.rating IS 'From 0 to 5, as readers gave it.';
