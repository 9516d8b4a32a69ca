"""SP-API access: credentials from Airflow connections, checked clients, pacing and retries."""
