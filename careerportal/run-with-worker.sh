#!/usr/bin/env bash
# `make run`: the web server and the worker that sends emails (manage.py db_worker), side by side. Ctrl+C stops both;
# if either stops on its own (a port in use, say), the other is stopped too.
set -u
cd "$(dirname "$0")/.."

.venv/bin/python manage.py db_worker &
worker=$!
.venv/bin/gunicorn -c careerportal/gunicorn.conf.py careerportal.wsgi &
server=$!

# Ctrl+C reaches both from the terminal: wait for them to finish (the worker finishes the email it is sending).
# A TERM sent to this script alone is passed on.
interrupted=0
trap 'interrupted=1' INT
trap 'interrupted=1; kill -TERM $worker $server 2>/dev/null' TERM
wait -n
status=$?
if [ "$interrupted" = 0 ]; then
    kill -TERM $worker $server 2>/dev/null
fi
wait
[ "$interrupted" = 1 ] && exit 0
exit "$status"
