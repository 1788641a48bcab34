#!/bin/sh
# Start of the `web` service: apply migrations, refresh the shared static volume
# (the image's files are newer after an upgrade), then hand over to gunicorn.
set -eu
python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
exec gunicorn --config deploy/gunicorn.conf.py icpportal.wsgi
