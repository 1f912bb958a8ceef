-- SPDX-License-Identifier: ISC
-- Shopease auth suite schema for MariaDB 10.10 or later (utf8mb4_uca1400_as_ci).
-- Safe to apply twice: every statement is IF NOT EXISTS, OR REPLACE or
-- idempotent, and applying it to a database of an older version upgrades it.
-- Apply it with the mariadb client, which understands DELIMITER.
-- The programs refuse to serve (503) when schema_version.version differs from
-- the version they were built for.

CREATE TABLE IF NOT EXISTS schema_version (
    version INT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

-- Case-insensitive but accent-sensitive: Alice@b.example and alice@B.example
-- are one account, while bucher.example and bücher.example are two domains.
CREATE TABLE IF NOT EXISTS users (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email         VARCHAR(254) NOT NULL,
    password      VARCHAR(255) NOT NULL,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    is_staff      BOOLEAN NOT NULL DEFAULT FALSE,
    is_superuser  BOOLEAN NOT NULL DEFAULT FALSE,
    date_joined   DATETIME NOT NULL,
    last_login    DATETIME NULL,
    UNIQUE KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_as_ci;

-- Every refresh token the suite issues. Only the jti is kept, never the token.
CREATE TABLE IF NOT EXISTS outstanding_tokens (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    jti         CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    UNIQUE KEY outstanding_tokens_jti (jti),
    KEY outstanding_tokens_user (user_id, expires_at),
    KEY outstanding_tokens_expires (expires_at),
    CONSTRAINT outstanding_tokens_user_fk FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Refresh tokens that may not be used again. The unique jti makes a second
-- blacklisting of one token fail, which is what lets exactly one of many
-- concurrent refreshes win. A row needs no outstanding row: tokens signed by
-- the previous service have none. reason distinguishes a rotation (whose
-- reuse is a sign of theft) from a logout or a revocation.
CREATE TABLE IF NOT EXISTS blacklisted_tokens (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    jti             VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    reason          ENUM('rotated', 'logout', 'revoked') NOT NULL,
    blacklisted_at  DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    UNIQUE KEY blacklisted_tokens_jti (jti),
    KEY blacklisted_tokens_expires (expires_at),
    CONSTRAINT blacklisted_tokens_user_fk FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- A refresh with rotation in one round trip: blacklist the presented token
-- if its user exists and is active, record the new token as outstanding,
-- and commit. The unique jti of blacklisted_tokens makes a second rotation
-- of one token fail with a duplicate key (1062). A missing or inactive user
-- is SQLSTATE 45000 (1644). In either case nothing changes. It runs with
-- the caller's privileges, so the caller needs the grants of the two
-- INSERTs as well as EXECUTE.
DELIMITER //
CREATE OR REPLACE PROCEDURE rotate_refresh_token(
    IN presented_jti        VARCHAR(255) CHARACTER SET ascii,
    IN presented_user_id    BIGINT UNSIGNED,
    IN presented_expires_at DATETIME,
    IN rotated_at           DATETIME,
    IN next_jti             CHAR(32) CHARACTER SET ascii,
    IN next_expires_at      DATETIME)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;
    START TRANSACTION;
    INSERT INTO blacklisted_tokens (jti, user_id, reason, blacklisted_at, expires_at)
        SELECT presented_jti, id, 'rotated', rotated_at, presented_expires_at
        FROM users WHERE id = presented_user_id AND is_active;
    IF ROW_COUNT() = 0 THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'the refresh token''s user is missing or inactive';
    END IF;
    INSERT INTO outstanding_tokens (jti, user_id, created_at, expires_at)
        VALUES (next_jti, presented_user_id, rotated_at, next_expires_at);
    COMMIT;
END//
DELIMITER ;

-- Version 2 added rotate_refresh_token.
INSERT IGNORE INTO schema_version (version) VALUES (2);
