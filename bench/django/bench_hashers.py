# SPDX-License-Identifier: ISC
"""Django's bcrypt_sha256 hasher at the cost in BENCH_BCRYPT_COST (default 12, Django's own)."""
import os

from django.contrib.auth.hashers import BCryptSHA256PasswordHasher


class BenchBCryptSHA256PasswordHasher(BCryptSHA256PasswordHasher):
    rounds = int(os.environ.get("BENCH_BCRYPT_COST", "12"))
