"""The site's store: SQLAlchemy models, the database and its migrations, the queries the pages
and the API run (search behind one function), and the loading of built-in katas.

SQLite (one file, WAL) by default; the same code runs on PostgreSQL (psycopg 3) for a site that
scales out. The judge never touches the store.
"""
