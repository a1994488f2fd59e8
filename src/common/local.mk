noinst_LIBRARIES += src/common/libcommon.a
src_common_libcommon_a_SOURCES = \
	src/common/log.c src/common/log.h \
	src/common/xmalloc.c src/common/xmalloc.h \
	src/common/proto.c src/common/proto.h \
	src/common/util.c src/common/util.h \
	src/common/backoff.c src/common/backoff.h \
	src/common/notify.c src/common/notify.h \
	src/common/cmdtab.c src/common/cmdtab.h \
	src/common/sockpath.c src/common/sockpath.h
