# systemd unit, socket, sysusers entry and the udev rule for ModemManager.
#
# Install paths follow ${prefix} (distcheck installs into a temporary prefix):
#   $(systemdsystemunitdir)  cellsockd.service, cellsockd@.service (one
#                            daemon per modem), cellsockd.socket
#   $(sysusersdir)           cellsock.conf (from systemd/cellsock.sysusers.conf)
#   $(udevrulesdir)          60-cellsock-modem.rules
# configure sets them (--with-systemdsystemunitdir, --with-sysusersdir,
# --with-udevrulesdir) from what systemd and udev say (pkg-config): with
# --prefix=/usr, on Debian 12, /lib/systemd/system, /usr/lib/sysusers.d and
# /lib/udev/rules.d; with the default prefix or /usr/local the unit goes to
# /usr/local/lib/systemd/system and the other two to the same system
# directories. debian/rules packages whatever is installed here.

# The service names the daemon's installed path, so it is generated here
# rather than by configure (@sbindir@ is quoted as @sbindir[@] so that
# config.status leaves the sed expression alone).
nodist_systemdsystemunit_DATA = systemd/cellsockd.service systemd/cellsockd@.service
dist_systemdsystemunit_DATA = systemd/cellsockd.socket
dist_udevrules_DATA = udev/60-cellsock-modem.rules

systemd/cellsockd.service: $(srcdir)/systemd/cellsockd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/systemd/cellsockd.service.in >$@.tmp && \
	mv $@.tmp $@

systemd/cellsockd@.service: $(srcdir)/systemd/cellsockd@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    '$(srcdir)/systemd/cellsockd@.service.in' >'$@.tmp' && \
	mv '$@.tmp' '$@'

# The sysusers entry is installed under another name than in the tree, and
# systemd-sysusers runs on it when installing as root into the live system
# (no DESTDIR, a directory systemd-sysusers reads), so that `make install`
# followed by `systemctl enable --now cellsockd` works: the unit cannot start
# without user cellsock. Anywhere else (packages, distcheck) it only prints a
# reminder. SYSTEMD_SYSUSERS can be overridden (e.g. to `echo`) for testing.
SYSTEMD_SYSUSERS = systemd-sysusers

install-data-hook: systemd-install-data-hook
uninstall-hook: systemd-uninstall-hook

systemd-install-data-hook:
	$(MKDIR_P) '$(DESTDIR)$(sysusersdir)'
	$(INSTALL_DATA) $(srcdir)/systemd/cellsock.sysusers.conf '$(DESTDIR)$(sysusersdir)/cellsock.conf'
	@case '$(DESTDIR):$(sysusersdir)' in \
	  :/usr/lib/sysusers.d|:/usr/local/lib/sysusers.d|:/lib/sysusers.d|:/etc/sysusers.d) \
	    if test "$$(id -u)" = 0 && command -v $(SYSTEMD_SYSUSERS) >/dev/null 2>&1; then \
	      echo "$(SYSTEMD_SYSUSERS) $(sysusersdir)/cellsock.conf"; \
	      $(SYSTEMD_SYSUSERS) '$(sysusersdir)/cellsock.conf' || exit 1; \
	      exit 0; \
	    fi;; \
	esac; \
	echo "note: create user and group cellsock before starting cellsockd: systemd-sysusers $(sysusersdir)/cellsock.conf"

systemd-uninstall-hook:
	rm -f '$(DESTDIR)$(sysusersdir)/cellsock.conf'

EXTRA_DIST += systemd/cellsockd.service.in systemd/cellsockd@.service.in \
	systemd/cellsock.sysusers.conf \
	tests/systemd/units.sh
CLEANFILES += systemd/cellsockd.service systemd/cellsockd.service.tmp \
	systemd/cellsockd@.service systemd/cellsockd@.service.tmp
TESTS += tests/systemd/units.sh

.PHONY: systemd-install-data-hook systemd-uninstall-hook
