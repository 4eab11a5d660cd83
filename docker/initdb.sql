-- Runs once when compose.yaml's postgres container creates its database: the application role with the
-- small CONNECTION LIMIT of a managed database. Local runs only: this password is public.
CREATE ROLE app LOGIN PASSWORD 'app-local-only' CONNECTION LIMIT 10;
GRANT CONNECT ON DATABASE lab TO app;
