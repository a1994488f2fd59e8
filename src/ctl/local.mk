bin_PROGRAMS += src/ctl/cellsockctl
src_ctl_cellsockctl_SOURCES = src/ctl/cellsockctl.c src/ctl/output.c src/ctl/output.h \
	src/ctl/output_text.c src/ctl/output_json.c src/ctl/human.c src/ctl/human.h
src_ctl_cellsockctl_LDADD = src/common/libcommon.a
