-- A dump in pg_dump's layout: bare tables first, their keys added after, in one transaction.
BEGIN;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

CREATE TABLE author (
    id integer NOT NULL,
    name character varying(40) NOT NULL,
    code character varying(10) NOT NULL
);

CREATE TABLE book (
    id integer NOT NULL,
    author_id integer NOT NULL,
    title character varying(80) NOT NULL,
    shout text GENERATED ALWAYS AS (upper(title)) STORED
);

CREATE TABLE book_copy AS SELECT id, title FROM book;

ALTER TABLE ONLY author
    ADD CONSTRAINT author_pkey PRIMARY KEY (id);

ALTER TABLE ONLY book
    ADD CONSTRAINT book_pkey PRIMARY KEY (id);

ALTER TABLE ONLY author
    ADD CONSTRAINT author_code_key UNIQUE (code);

ALTER TABLE ONLY book
    ADD CONSTRAINT book_by FOREIGN KEY (author_id) REFERENCES author(id) ON DELETE RESTRICT;

ALTER TABLE book ADD COLUMN pages integer;

CREATE INDEX book_title_lower ON book (lower(title));

COMMENT ON COLUMN book.title IS 'As printed.';

COMMIT
