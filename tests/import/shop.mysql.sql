-- A shop's schema as a team writes it by hand for MySQL / MariaDB.
CREATE TABLE customer (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  full_name TEXT,
  age INT CHECK (age >= 0),
  balance DECIMAL(12,2) NOT NULL DEFAULT 0.00,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  joined_on DATE,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY customer_email_key (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='People who buy.';

CREATE TABLE `order` (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id INT NOT NULL,
  status VARCHAR(10) NOT NULL DEFAULT 'new',
  total DECIMAL(10,2) DEFAULT NULL,
  note VARCHAR(200) DEFAULT NULL COMMENT 'For the courier.',
  placed_at DATETIME DEFAULT NULL,
  PRIMARY KEY (id),
  KEY order_status_idx (status),
  CONSTRAINT order_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer (id)
    ON DELETE CASCADE,
  CONSTRAINT order_status_enum_check CHECK (status IN ('new', 'paid', 'shipped')),
  CONSTRAINT order_total_range_check CHECK (total >= 0 AND total <= 100000)
) ENGINE=InnoDB;

CREATE TABLE order_line (
  order_id BIGINT NOT NULL,
  line_no INT NOT NULL,
  sku CHAR(8) NOT NULL,
  qty INT NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT order_line_order_fk FOREIGN KEY (order_id) REFERENCES `order` (id) ON DELETE CASCADE,
  CONSTRAINT order_line_qty_range_check CHECK (qty >= 1 AND qty <= 999)
);
