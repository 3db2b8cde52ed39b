-- A shop's schema as a team writes it by hand for SQLite.
CREATE TABLE customer (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email VARCHAR(120) NOT NULL UNIQUE,
  full_name TEXT,
  age INTEGER CHECK (age >= 0),
  balance NUMERIC(12, 2) NOT NULL DEFAULT 0,
  is_active BOOLEAN NOT NULL DEFAULT 1,
  joined_on DATE,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "order" (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
  status VARCHAR(10) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
  total NUMERIC(10, 2) CHECK (total >= 0 AND total <= 100000),
  note VARCHAR(200),
  placed_at DATETIME,
  UNIQUE (customer_id, note)
);
CREATE INDEX order_status_idx ON "order" (status);
CREATE TABLE order_line (
  order_id INTEGER NOT NULL REFERENCES "order" (id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL,
  sku CHAR(8) NOT NULL,
  qty INTEGER NOT NULL DEFAULT 1 CHECK (qty >= 1 AND qty <= 999),
  PRIMARY KEY (order_id, line_no)
);
