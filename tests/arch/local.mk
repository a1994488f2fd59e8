# The architecture as tests: layers and call direction between the built
# object files, and file and function sizes (README "Architecture").
ARCH_TESTS = tests/arch/layers.py tests/arch/sizes.py
TESTS += $(ARCH_TESTS)
EXTRA_DIST += $(ARCH_TESTS)
# layers.py reads the object files of the programs.
tests/arch/layers.log: $(bin_PROGRAMS) $(sbin_PROGRAMS)
