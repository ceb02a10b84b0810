#!/bin/sh
# Container entrypoint: bring the database schema up to date, then serve the site.
#
# With arguments, the migrations still run first and the arguments are executed instead of
# the web server, e.g. `docker compose run --rm web python manage.py import_article FILE`.
# Static files are collected when the image is built, not here.
set -eu

python manage.py migrate --noinput

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

# Extra gunicorn options can be passed in GUNICORN_CMD_ARGS, which gunicorn reads itself.
exec gunicorn config.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-3}" \
    --access-logfile -
