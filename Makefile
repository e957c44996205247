# Convenience targets for a newcomer; the build itself is Meson's.
#   make            build beadm (build/src/beadm) against the installed OpenZFS
#   make check      set up, build and run every test (unit, VM self-tests,
#                   every scenario on Debian 13 with OpenZFS 2.3 and the
#                   marked ones on Debian 12 with OpenZFS 2.1, end to end);
#                   CI runs this
#   make check-full the same with every scenario on both series
#   make check-e2e  only the end-to-end test: real UEFI boots of BEs (tests/e2e)
#   make sandbox    try beadm in a throwaway VM with a Proxmox-style pool
#   make install    install beadm, its man page, completions and hooks (PREFIX=/usr/local)
PREFIX ?= /usr/local

all: build/build.ninja
	ninja -C build

build/build.ninja:
	meson setup build --prefix=$(PREFIX)

check:
	tests/run-all

check-full:
	tests/run-all --full

check-e2e:
	scripts/setup
	tests/e2e/run

sandbox:
	scripts/sandbox

install: all
	meson install -C build
	install -D -m 755 contrib/zzz-beadm $(DESTDIR)/etc/kernel/postinst.d/zzz-beadm
	install -D -m 755 contrib/zzz-beadm $(DESTDIR)/etc/kernel/postrm.d/zzz-beadm
	# update-initramfs runs post-update.d where a boot tool made it
	if [ -d $(DESTDIR)/etc/initramfs/post-update.d ]; then \
		install -m 755 contrib/zzz-beadm $(DESTDIR)/etc/initramfs/post-update.d/zzz-beadm; fi
	install -D -m 644 contrib/apt/80beadm $(DESTDIR)/etc/apt/apt.conf.d/80beadm
	install -D -m 644 contrib/beadm-bless.service $(DESTDIR)$(PREFIX)/lib/systemd/system/beadm-bless.service
	install -D -m 644 contrib/beadm-keep-default.service $(DESTDIR)$(PREFIX)/lib/systemd/system/beadm-keep-default.service

clean:
	rm -rf build build-*

.PHONY: all check check-full check-e2e sandbox install clean
