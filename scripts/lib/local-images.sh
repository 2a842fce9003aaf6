# Shared by the scripts that build local images from local material (test-images.sh,
# node-lts-image.sh): source it.

# Whether the engine has an image by that name.
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt is configured with (debootstrap fetches from it).
apt_mirror() {
  local m
  m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}
