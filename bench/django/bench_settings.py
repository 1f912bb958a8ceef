# SPDX-License-Identifier: ISC
"""Settings of the Django service for the benchmark: its own settings, with
passwords hashed by bcrypt over SHA-256 (Django's bcrypt_sha256, the format
the suite writes) at the suite's cost, instead of PBKDF2."""
from shopease.settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["bench_hashers.BenchBCryptSHA256PasswordHasher"]
