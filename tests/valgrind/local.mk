# The real daemon under valgrind memcheck for one integration run (issue 8,
# item 2): zero errors and zero definite leaks. SKIP without valgrind or in a
# sanitized build.
TESTS += tests/valgrind/memcheck.py
EXTRA_DIST += tests/valgrind/memcheck.py
