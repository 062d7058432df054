#!/usr/bin/env bash
# Usage: scripts/build-test-image.sh [OUTDIR]        (default OUTDIR: .cache/test-image in the repo)
#
# Builds the QEMU test guest, one bootable disk made only from Debian packages, and prints its path
# (OUTDIR/stratus-test.qcow2) as the last line of stdout. The image is rebuilt only when this script
# changes (its sha256 is kept in OUTDIR/stamp); otherwise the cached one is reused.
#
# The disk: an MBR (syslinux's mbr.bin) and one FAT16 partition with syslinux, the Debian cloud kernel
# (linux-image-cloud-amd64, unpacked with dpkg-deb, the host's /boot is untouched) and a busybox
# initramfs holding the kernel modules it needs. No loop device, mount or network download (only apt).
#
# The guest's /init, on the serial console (ttyS0):
#   STRATUS TEST GUEST <version>             banner, as soon as /init runs
#   STRATUS TEST GUEST: smbios uuid <uuid>   the SMBIOS system UUID (QEMU's -uuid, the instance uuid)
#   STRATUS TEST GUEST: net <eth> <ip>/<mask> DHCP done on each NIC (QEMU user-mode networking answers it)
#   instance-uuid: <uuid>                    from the config drive (label config-2), else from
#   hostname: <hostname>                     http://169.254.169.254/openstack/latest/meta_data.json
#   STRATUS TEST GUEST READY hostname=<hostname>
# and, from a watcher in the background that looks at /sys/block every second (volumes, issue 8):
#   STRATUS TEST GUEST: disks vda vdb ...    the vd* disks, whenever that list changes (first when it starts)
#   STRATUS TEST GUEST: vdX holds STRATUS-DATA <rest of the line>
#                                            a disk with a serial (a volume) appeared whose first sector
#                                            starts with "STRATUS-DATA "; when that sector is blank (all
#                                            zeros) the guest writes a marker there:
#   STRATUS TEST GUEST: vdX wrote STRATUS-DATA <smbios uuid>
#   STRATUS TEST GUEST: vdX holds other data  anything else (a volume made from an image, the root volume
#                                            of a server booted from a volume), which is left alone
#                                            (disks without a serial: the root, ephemeral and swap disks,
#                                            are left alone too)
# then a shell on the console. The ACPI power button (QMP system_powerdown) powers it off.
# The screen (VGA, the VNC console) shows the kernel's messages, then
#   STRATUS TEST GUEST SCREEN hostname=<hostname>
# and a shell on tty1, which the keyboard types into.
set -euo pipefail

GUEST_VERSION=5
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mkdir -p "${1:-$REPO/.cache/test-image}" && cd "${1:-$REPO/.cache/test-image}" && pwd)"
IMAGE="$OUT/stratus-test.qcow2"
STAMP="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

log() { printf 'build-test-image: %s\n' "$*" >&2; }

# Test suites ask for the image at the same time: one builds it, the others wait and reuse it.
exec 9>"$OUT/.lock"
flock 9

if [ -f "$IMAGE" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "$IMAGE"
  exit 0
fi

# --- tools, from apt when missing ------------------------------------------------------------------

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
source "$REPO/scripts/test-image-tools.sh"
missing_test_image_tools
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing with apt-get: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- the kernel package, unpacked into a scratch root -----------------------------------------------

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

kernel_package() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ && !found++ {print $2}'
}
PKG="$(kernel_package)"
if [ -z "$PKG" ]; then
  as_root apt-get update -qq >/dev/null
  PKG="$(kernel_package)"
fi
[ -n "$PKG" ] || { log "apt knows no linux-image-cloud-amd64 (not Debian?)"; exit 1; }
log "downloading $PKG"
apt-get download -q "$PKG" >/dev/null 2>&1 || { log "apt-get download $PKG failed"; exit 1; }
mkdir kroot
dpkg-deb -x ./"$PKG"_*.deb kroot
KVER="${PKG#linux-image-}"
depmod -b kroot "$KVER"

# --- the initramfs ------------------------------------------------------------------------------------

R="$WORK/initramfs"
mkdir -p "$R"/bin "$R"/proc "$R"/sys "$R"/dev "$R"/tmp "$R"/run "$R"/mnt/config "$R"/etc/acpi/PWRF "$R"/lib/modules
cp /bin/busybox "$R"/bin/busybox
# Every applet but `busybox` itself (a busybox -> busybox link would replace the binary by a loop).
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$R/bin/$applet"
done

# The modules the cloud kernel does not build in, dependencies first, in the order /init loads them:
# virtio devices, ISO9660 and FAT config drives, an IDE cdrom, the ACPI power button.
: > "$R"/etc/modules.order
for m in virtio_pci virtio_blk virtio_net isofs vfat nls_cp437 nls_ascii nls_utf8 ata_piix sr_mod button evdev; do
  modprobe -d kroot -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
  cp "$ko" "$R"/lib/modules/
  basename "$ko" >> "$R"/etc/modules.order
done

cat > "$R"/etc/udhcpc.script <<'EOF'
#!/bin/sh
# udhcpc calls this with the lease in the environment; its stdout is not the console.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "${router:-}" ] && ip route add default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in ${dns:-}; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "STRATUS TEST GUEST: net $interface $ip/${mask:-24}" > /dev/console ;;
esac
EOF

# busybox acpid runs /etc/acpi/PWRF/00000080 on the power button event.
cat > "$R"/etc/acpi/PWRF/00000080 <<'EOF'
#!/bin/sh
echo "STRATUS TEST GUEST: power button, powering off" > /dev/console
sync
poweroff -f
EOF

cat > "$R"/init <<EOF
#!/bin/sh
GUEST_VERSION=$GUEST_VERSION
EOF
cat >> "$R"/init <<'EOF'
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
echo "STRATUS TEST GUEST $GUEST_VERSION (kernel uptime $(cut -d' ' -f1 /proc/uptime)s)"
echo "STRATUS TEST GUEST: smbios uuid $(cat /sys/class/dmi/id/product_uuid 2>/dev/null)"
for m in $(cat /etc/modules.order); do insmod /lib/modules/$m 2>/dev/null; done
# acpid exits quietly when it cannot open its default log file.
acpid -c /etc/acpi -l /dev/null -p /run/acpid.pid

ip link set lo up
# Every NIC: the server's ports, then the metadata service's link.
for dev in /sys/class/net/eth*; do
  [ -e "$dev" ] || continue
  udhcpc -i "${dev##*/}" -s /etc/udhcpc.script -q -n -t 3 -T 1 >/dev/null 2>&1 || echo "STRATUS TEST GUEST: dhcp failed on ${dev##*/}"
done

# The first "key": "value" pair of a JSON file (busybox has no JSON parser).
json_get() { grep -o "\"$1\": *\"[^\"]*\"" "$2" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }

MD=""
CD=""; i=0
while [ $i -lt 20 ]; do CD=$(findfs LABEL=config-2 2>/dev/null) && break; i=$((i+1)); usleep 100000; done
if [ -n "$CD" ] && mount -o ro "$CD" /mnt/config && [ -f /mnt/config/openstack/latest/meta_data.json ]; then
  MD=/mnt/config/openstack/latest/meta_data.json
  echo "STRATUS TEST GUEST: config drive $CD"
# `timeout`, not wget's -T: this busybox's wget crashes (SIGSEGV) when given -T.
elif timeout 5 wget -q -O /tmp/meta_data.json http://169.254.169.254/openstack/latest/meta_data.json 2>/dev/null; then
  MD=/tmp/meta_data.json
  echo "STRATUS TEST GUEST: metadata service"
else
  echo "STRATUS TEST GUEST: no config drive and no metadata service"
fi
if [ -n "$MD" ]; then
  UUID=$(json_get uuid "$MD")
  HN=$(json_get hostname "$MD")
  echo "instance-uuid: $UUID"
  echo "hostname: $HN"
  [ -n "$HN" ] && hostname "$HN"
fi
# --- volume watcher (issue 8): disks coming and going, and a marker on each volume ----------------------
# Only disks with a serial are volumes (QEMU gives the root, ephemeral and swap disks none).
disk_watch() {
  last=""
  while true; do
    now=$(ls /sys/block 2>/dev/null | grep '^vd' | tr '\n' ' ')
    if [ "$now" != "$last" ]; then
      echo "STRATUS TEST GUEST: disks ${now% }"
      for d in $now; do
        case " $last " in *" $d "*) continue ;; esac
        [ -n "$(cat /sys/block/$d/serial 2>/dev/null)" ] || continue
        first=$(dd if=/dev/$d bs=512 count=1 iflag=direct 2>/dev/null | head -n 1)
        used=$(dd if=/dev/$d bs=512 count=1 iflag=direct 2>/dev/null | tr -d '\000' | wc -c)
        case "$first" in
          "STRATUS-DATA "*) echo "STRATUS TEST GUEST: $d holds $first" ;;
          *)
            if [ "$used" != 0 ]; then echo "STRATUS TEST GUEST: $d holds other data"; continue; fi
            uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null)
            if printf 'STRATUS-DATA %s\n' "$uuid" | dd of=/dev/$d bs=512 count=1 conv=sync,fsync 2>/dev/null; then
              echo "STRATUS TEST GUEST: $d wrote STRATUS-DATA $uuid"
            else
              echo "STRATUS TEST GUEST: $d write failed"
            fi ;;
        esac
      done
      last=$now
    fi
    sleep 1
  done
}
disk_watch &
# --- end of the volume watcher ----------------------------------------------------------------------------------
echo "STRATUS TEST GUEST READY hostname=$(hostname) (uptime $(cut -d' ' -f1 /proc/uptime)s)"
# The screen: a line of our own and a shell on tty1 (the VNC console types into it).
echo "STRATUS TEST GUEST SCREEN hostname=$(hostname)" > /dev/tty1
(while true; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; sleep 1; done) &
while true; do setsid cttyhack /bin/sh -l; sleep 1; done
EOF
chmod +x "$R"/init "$R"/etc/udhcpc.script "$R"/etc/acpi/PWRF/00000080
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -9) > initrd.img
cp kroot/boot/vmlinuz-"$KVER" vmlinuz

# --- the disk: MBR + one bootable FAT16 partition with syslinux ------------------------------------------

cat > syslinux.cfg <<'EOF'
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=tty0 console=ttyS0
EOF
# Partition size: the two files plus 4 MiB of room, in MiB.
PART_MB=$(( ($(stat -c %s vmlinuz) + $(stat -c %s initrd.img)) / 1048576 + 4 ))
mkfs.vfat -F 16 -n STRATUSTEST -C part.img $((PART_MB * 1024)) >/dev/null
mcopy -i part.img vmlinuz initrd.img syslinux.cfg ::/
syslinux --install part.img
truncate -s $((PART_MB + 1))M disk.raw
# The partition starts at 1 MiB (sector 2048); syslinux's mbr.bin boots the active one.
echo 'start=2048, type=6, bootable' | sfdisk -q disk.raw
dd if=/usr/lib/syslinux/mbr/mbr.bin of=disk.raw bs=440 count=1 conv=notrunc status=none
dd if=part.img of=disk.raw bs=1M seek=1 conv=notrunc status=none
qemu-img convert -c -f raw -O qcow2 disk.raw "$IMAGE.tmp"
mv "$IMAGE.tmp" "$IMAGE"
echo "$STAMP" > "$OUT/stamp"
log "built $IMAGE ($(stat -c %s "$IMAGE") bytes, kernel $KVER, guest version $GUEST_VERSION)"
echo "$IMAGE"
