# Sourced by build-test-image.sh and install-test-deps.sh: adds to the array `missing` the Debian packages of the
# tools the QEMU test guest is built with that this machine lacks.
missing_test_image_tools() {
  command -v qemu-img >/dev/null 2>&1 || missing+=(qemu-utils)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)  # static: it runs in the initramfs
  command -v cpio >/dev/null 2>&1 || missing+=(cpio)
  command -v syslinux >/dev/null 2>&1 || missing+=(syslinux)
  [ -f /usr/lib/syslinux/mbr/mbr.bin ] || missing+=(syslinux-common)
  command -v mcopy >/dev/null 2>&1 || missing+=(mtools)
  command -v mkfs.vfat >/dev/null 2>&1 || missing+=(dosfstools)
  command -v sfdisk >/dev/null 2>&1 || missing+=(fdisk)
  command -v depmod >/dev/null 2>&1 || missing+=(kmod)
}
