# The architecture as tests: layers and call direction between the built
# object files, file and function sizes, and headers that compile alone
# (README "Architecture").
ARCH_TESTS = tests/arch/layers.py tests/arch/sizes.py tests/arch/headers.py
TESTS += $(ARCH_TESTS)
EXTRA_DIST += $(ARCH_TESTS)
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC;
# layers.py reads the object files of the programs.
tests/arch/layers.log: $(bin_PROGRAMS) $(sbin_PROGRAMS)
