bin_PROGRAMS += src/ctl/cellsockctl
src_ctl_cellsockctl_SOURCES = src/ctl/cellsockctl.c src/ctl/output.c src/ctl/output.h \
	src/ctl/output_text.c src/ctl/output_json.c src/ctl/human.c src/ctl/human.h
src_ctl_cellsockctl_LDADD = src/common/libcommon.a

# bash completion, generated at build time from the command table by
# complete_gen (a build tool, not installed) and installed into
# $(bashcompletiondir) (configure: pkg-config's completionsdir of
# bash-completion, or --with-bashcompletiondir).
noinst_PROGRAMS += src/ctl/complete_gen
src_ctl_complete_gen_SOURCES = src/ctl/complete_gen.c
src_ctl_complete_gen_LDADD = src/common/libcommon.a
nodist_bashcompletion_DATA = completion/cellsockctl
completion/cellsockctl: src/ctl/complete_gen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) completion && \
	src/ctl/complete_gen$(EXEEXT) >$@.tmp && mv $@.tmp $@
CLEANFILES += completion/cellsockctl completion/cellsockctl.tmp
