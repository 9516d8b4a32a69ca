"""The reporting warehouse: connections, migrations and the SQL of each schema."""
