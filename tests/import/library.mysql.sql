-- A library's schema, hand-written for MySQL / MariaDB: composite keys and references, a join
-- table, a self-reference, BETWEEN and length checks, enums of the column type.
CREATE TABLE branch (
  code CHAR(3) NOT NULL,
  city VARCHAR(60) NOT NULL,
  opened DATE NOT NULL DEFAULT '2001-01-01',
  PRIMARY KEY (code),
  CONSTRAINT branch_code_length CHECK (CHAR_LENGTH(code) >= 3)
);
CREATE TABLE shelf (
  branch_code CHAR(3) NOT NULL,
  number INT NOT NULL,
  label TEXT,
  PRIMARY KEY (branch_code, number),
  CONSTRAINT shelf_branch_fk FOREIGN KEY (branch_code) REFERENCES branch (code)
    ON UPDATE CASCADE,
  CONSTRAINT shelf_number_range CHECK (number BETWEEN 1 AND 500)
);
CREATE TABLE book (
  id CHAR(36) NOT NULL DEFAULT (UUID()),
  isbn VARCHAR(17) NOT NULL,
  title VARCHAR(300) NOT NULL,
  price DECIMAL(8,2) DEFAULT -1.50,
  rating DOUBLE,
  pages BIGINT,
  cover BLOB,
  branch_code CHAR(3),
  shelf_number INT,
  sequel_of CHAR(36),
  PRIMARY KEY (id),
  UNIQUE KEY book_isbn_key (isbn),
  KEY book_title_branch_idx (title, branch_code),
  CONSTRAINT book_sequel_fk FOREIGN KEY (sequel_of) REFERENCES book (id) ON DELETE SET NULL,
  CONSTRAINT book_shelf_fk FOREIGN KEY (branch_code, shelf_number)
    REFERENCES shelf (branch_code, number) ON DELETE RESTRICT
) COMMENT 'Every copy on the shelves.';
CREATE TABLE author (
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(120) NOT NULL,
  born SMALLINT,
  PRIMARY KEY (id)
);
CREATE TABLE book_author (
  book_id CHAR(36) NOT NULL,
  author_id BIGINT NOT NULL,
  PRIMARY KEY (book_id, author_id),
  CONSTRAINT book_author_book_fk FOREIGN KEY (book_id) REFERENCES book (id) ON DELETE CASCADE,
  CONSTRAINT book_author_author_fk FOREIGN KEY (author_id) REFERENCES author (id)
    ON DELETE CASCADE
);
