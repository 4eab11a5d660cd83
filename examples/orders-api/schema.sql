-- The orders schema the function reads: run by `./testbed invoke|serve --init-sql schema.sql` on the local
-- database, by your migrations in AWS.
CREATE SCHEMA IF NOT EXISTS orders;
CREATE TABLE IF NOT EXISTS orders.orders (
    id          bigint PRIMARY KEY,
    customer    text   NOT NULL,
    total_cents bigint NOT NULL,
    status      text   NOT NULL
);
INSERT INTO orders.orders (id, customer, total_cents, status) VALUES
    (1, 'Ada Lovelace', 4200, 'shipped'),
    (2, 'Alan Turing', 1999, 'pending'),
    (3, 'Grace Hopper', 15000, 'delivered')
ON CONFLICT (id) DO NOTHING;
