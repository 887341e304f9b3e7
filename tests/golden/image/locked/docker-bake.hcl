# docker buildx bake: written by `mlstack image` (mlstack 0.1.0); edit the spec, not this file.
# `docker buildx bake` builds every variant; pip's configuration goes in as build
# secrets (PIP_CONF, PIP_CERT), never into a layer.
variable "PIP_CONF" {
  default = "/etc/pip.conf"
}

variable "PIP_CERT" {
  default = "/etc/ssl/certs/ca-certificates.crt"
}

group "default" {
  targets = ["small"]
}

target "_common" {
  context = "."
  secret = ["id=pipconf,src=${PIP_CONF}", "id=pipcert,src=${PIP_CERT}"]
}

target "base" {
  inherits = ["_common"]
  dockerfile = "Dockerfile.base"
  tags = ["mlstack-base"]
}

target "small" {
  inherits = ["_common"]
  dockerfile = "Dockerfile.small"
  contexts = {
    "mlstack-base" = "target:base"
  }
  tags = ["mlstack-small"]
}
