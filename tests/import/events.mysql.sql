-- An events app, hand-written for MySQL / MariaDB: backquoted names, IF NOT EXISTS, TINYINT(1)
-- booleans, unsigned and narrow integers, JSON, a TIMESTAMP column, table options.
CREATE TABLE IF NOT EXISTS `venue` (
  `id` INT NOT NULL AUTO_INCREMENT,
  `Name` VARCHAR(80) NOT NULL,
  `capacity` INT NOT NULL DEFAULT '100',
  `notes` LONGTEXT,
  PRIMARY KEY (`id`),
  UNIQUE KEY `venue_name_uq` (`Name`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS `event` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `venue_id` INT DEFAULT NULL,
  `title` VARCHAR(120) NOT NULL DEFAULT 'Untitled',
  `starts_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `seats` SMALLINT UNSIGNED,
  `price` DOUBLE DEFAULT NULL,
  `extra` JSON DEFAULT NULL,
  `is_free` TINYINT(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`),
  UNIQUE KEY `event_venue_title_key` (`venue_id`, `title`),
  CONSTRAINT `event_venue_id_fkey` FOREIGN KEY (`venue_id`) REFERENCES `venue` (`id`)
    ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
