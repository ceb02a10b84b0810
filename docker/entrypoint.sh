#!/bin/sh
# Container entrypoint: bring the database schema up to date, then serve the site.
#
# With arguments, the migrations still run first and the arguments are executed instead of
# the web server, e.g. `docker compose run --rm web python manage.py import_article FILE`.
# Static files are collected when the image is built, not here.
#
# MIGRATE_ON_START=0 skips the migrations: with several app servers, one job applies them
# before any server starts (docker-compose.yml's `migrate` service) instead of every server
# racing to apply them at once.
set -eu

if [ "${MIGRATE_ON_START:-1}" != "0" ]; then
    python manage.py migrate --noinput
fi

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

# Threaded workers (gthread): while one thread waits for PostgreSQL or Redis another runs, and
# connections from the proxy are kept alive instead of opened per request. Few threads per
# process, because Python runs one of them at a time; more processes for more cores. The
# benchmark (bench/run) measures the site with the same worker class.
# Extra gunicorn options can be passed in GUNICORN_CMD_ARGS, which gunicorn reads itself.
exec gunicorn config.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-3}" \
    --worker-class gthread \
    --threads "${GUNICORN_THREADS:-4}" \
    --access-logfile -
