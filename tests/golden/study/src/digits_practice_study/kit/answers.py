"""What this study was made with: the template's questions, as answered, for the commands.

The template fills these in when it makes the study, as it does the file names in paths.py;
every other module of kit/ is copied as it is. They record a choice the study's files were
made for: editing one here does not remake those files.
"""

PROJECT_SLUG = "digits-practice-study"
MODULE_NAME = "digits_practice_study"
# uv (from uv.lock), pip (requirements.txt, with hashes) or conda (environment.yml)
ENV_MANAGER = "uv"
# Where `run.py push` copies the data: local (a folder), none, s3, gcs, azure or ssh
DVC_REMOTE = "local"
# pandas (the table in memory) or dask (in partitions: a table larger than memory)
COMPUTE = "pandas"
# Where the raw table comes from: a bundled dataset's name, csv_url, or local_file (your
# own file, copied into data/raw/ when the study was made)
DATASET = "digits"
