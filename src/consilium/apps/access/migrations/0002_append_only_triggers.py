"""Make the audit trail append-only in the database itself: UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of access_auditevent fail, whatever code or raw SQL attempts them.

The one exception is a row in access_audit_maintenance, a table no model maps and no code
path of the application writes: the test suite uses it to empty a throw-away test
database between tests. Anyone able to write that table could drop the triggers too, so it
opens no door that database privileges do not already open.
"""

from django.db import migrations

UNLOCKED = "EXISTS (SELECT 1 FROM access_audit_maintenance)"

SQLITE = [
    "CREATE TABLE access_audit_maintenance (reason TEXT NOT NULL);",
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON access_auditevent
       WHEN NOT {UNLOCKED}
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON access_auditevent
       WHEN NOT {UNLOCKED}
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_no_update;",
    "DROP TRIGGER audit_no_delete;",
    "DROP TABLE access_audit_maintenance;",
]

POSTGRES = [
    "CREATE TABLE access_audit_maintenance (reason TEXT NOT NULL);",
    f"""CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF {UNLOCKED} THEN
           IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END; $$;""",
    """CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON access_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON access_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_no_truncate ON access_auditevent;",
    "DROP TRIGGER audit_no_update_delete ON access_auditevent;",
    "DROP FUNCTION audit_append_only();",
    "DROP TABLE access_audit_maintenance;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
