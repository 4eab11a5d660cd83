# PgBouncer from Debian's own package: the same PgBouncer (1.18 on bookworm) that the local test bed
# runs from the OS package, instead of a third-party image. Used by compose.yaml for `sam local`.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends pgbouncer \
 && rm -rf /var/lib/apt/lists/*
COPY pgbouncer.ini userlist.txt /etc/pgbouncer/
RUN chown -R postgres:postgres /etc/pgbouncer && chmod 600 /etc/pgbouncer/userlist.txt
# PgBouncer refuses to run as root.
USER postgres
EXPOSE 6432
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
