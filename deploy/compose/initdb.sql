-- Runs once, when the PostgreSQL container initialises its empty data directory
-- (/docker-entrypoint-initdb.d), as the superuser postgres. It creates Lotse's two roles as
-- README "Database roles" requires, and Keycloak's database.
--
-- TRIAL PASSWORDS: they are written here and in compose.yaml. For anything but a trial on a
-- machine nobody else reaches, change them in both files before the first start (or with
-- ALTER ROLE ... PASSWORD afterwards).

-- The group role the migrations grant Lotse's privileges to.
CREATE ROLE lotse_app NOLOGIN;
-- The owner of the database: runs `lotse migrate up` (the one-shot service "migrate").
CREATE ROLE lotse_owner LOGIN PASSWORD 'trial-owner';
-- What the server runs as: a member of lotse_app that owns nothing, no superuser, no CREATEROLE.
CREATE ROLE lotse_server LOGIN PASSWORD 'trial-server' IN ROLE lotse_app;
CREATE DATABASE lotse OWNER lotse_owner;
REVOKE CONNECT ON DATABASE lotse FROM PUBLIC;
GRANT CONNECT ON DATABASE lotse TO lotse_owner, lotse_server;

-- Keycloak keeps its realm, users and sessions in a database of its own.
CREATE ROLE keycloak LOGIN PASSWORD 'trial-keycloak';
CREATE DATABASE keycloak OWNER keycloak;
REVOKE CONNECT ON DATABASE keycloak FROM PUBLIC;
GRANT CONNECT ON DATABASE keycloak TO keycloak;
