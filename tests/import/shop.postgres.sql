-- A shop's schema as a team writes it by hand for PostgreSQL.
CREATE TABLE customer (
  id serial PRIMARY KEY,
  email varchar(120) NOT NULL UNIQUE,
  full_name text,
  age smallint CHECK (age >= 0),
  balance numeric(12,2) NOT NULL DEFAULT 0,
  is_active boolean NOT NULL DEFAULT true,
  joined_on date DEFAULT CURRENT_DATE,
  created_at timestamptz NOT NULL DEFAULT now(),
  profile jsonb,
  external_id uuid DEFAULT gen_random_uuid()
);
CREATE TABLE "order" (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
  status varchar(10) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
  total numeric(10,2) CHECK (total >= 0 AND total <= 100000),
  note varchar(200),
  placed_at timestamp(3) without time zone,
  UNIQUE (customer_id, note)
);
CREATE INDEX order_status_idx ON "order" (status);
CREATE TABLE order_line (
  order_id bigint NOT NULL,
  line_no int NOT NULL,
  sku char(8) NOT NULL,
  qty int NOT NULL DEFAULT 1 CHECK (qty >= 1 AND qty <= 999),
  code varchar(12) CHECK (code ~ '^[A-Z]+$'),
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT order_line_order_fk FOREIGN KEY (order_id) REFERENCES "order"(id) ON DELETE CASCADE
);
COMMENT ON TABLE customer IS 'People who buy.';
COMMENT ON COLUMN customer.email IS 'Login.';
