-- SPDX-License-Identifier: ISC
-- One MariaDB account per program, with only the rights its statements in
-- common/db.c need. Apply it to the suite's database after schema.sql:
--     mariadb DBNAME < grants.sql
-- The accounts must exist first, each with its own password, for example
--     CREATE USER 'shopease_login'@'localhost' IDENTIFIED BY '...';
-- (tools/db.sh grants creates them for development and the tests). Table
-- names here are unqualified, so they name tables of the database given to
-- the client. Every program reads schema_version when it connects.
-- START TRANSACTION, COMMIT and ROLLBACK need no privilege.

-- register: look the email up, insert the user and its first refresh token.
GRANT SELECT ON schema_version TO 'shopease_register'@'localhost';
GRANT SELECT, INSERT ON users TO 'shopease_register'@'localhost';
GRANT INSERT ON outstanding_tokens TO 'shopease_register'@'localhost';

-- login: look the user up, set last_login, record the refresh token, and
-- store an imported password hash again as bcrypt_sha256 once the login
-- has proved the password.
GRANT SELECT ON schema_version TO 'shopease_login'@'localhost';
GRANT SELECT, UPDATE (last_login, password) ON users TO 'shopease_login'@'localhost';
GRANT INSERT ON outstanding_tokens TO 'shopease_login'@'localhost';

-- token_refresh: look the user up, and blacklist the presented token and
-- record the new one through rotate_refresh_token, which runs with these
-- rights. After a lost connection it reads the new token's outstanding row.
-- On reuse it reads the blacklist entry and blacklists every outstanding
-- token of the user (INSERT IGNORE ... SELECT).
GRANT SELECT ON schema_version TO 'shopease_token_refresh'@'localhost';
GRANT EXECUTE ON PROCEDURE rotate_refresh_token TO 'shopease_token_refresh'@'localhost';
GRANT SELECT ON users TO 'shopease_token_refresh'@'localhost';
GRANT SELECT, INSERT ON blacklisted_tokens TO 'shopease_token_refresh'@'localhost';
GRANT SELECT, INSERT ON outstanding_tokens TO 'shopease_token_refresh'@'localhost';

-- logout: authenticate the access token's user, blacklist the refresh token,
-- and after a lost connection read the row to learn whether it was written.
GRANT SELECT ON schema_version TO 'shopease_logout'@'localhost';
GRANT SELECT ON users TO 'shopease_logout'@'localhost';
GRANT SELECT, INSERT ON blacklisted_tokens TO 'shopease_logout'@'localhost';

-- me: authenticate the access token's user.
GRANT SELECT ON schema_version TO 'shopease_me'@'localhost';
GRANT SELECT ON users TO 'shopease_me'@'localhost';
