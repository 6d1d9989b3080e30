from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# Queued emails quote private comments and plans; no one reads them in the admin (DESIGN.md, "Privacy and security").
admin.site.unregister(DBTaskResult)
